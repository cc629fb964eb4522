import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { ErrorType } from '../workflows/error-types';
import { orderKey } from '../workflows/ids';
import type { CallbackState, Observation, Outcome, ProviderName } from '../workflows/types';
import type { Ledger, OutcomeRecord } from './ledger/ledger';
import type { ProviderRegistry } from './providers/provider';
import { ProviderCallError } from './providers/provider-error';
import { toApplicationFailure } from './to-application-failure';

export interface ActivityDependencies {
  providers: ProviderRegistry;
  ledger: Ledger;
}

export interface PollRequest {
  provider: ProviderName;
  orderId: string;
  minRequestGapMs: number;
}

export interface RecordedOutcome {
  recorded: boolean;
  /** The outcome the ledger holds: a final one recorded earlier wins over this run's. */
  outcome: Outcome;
  callback: CallbackState;
}

/** Builds every activity from injected dependencies; workers pass real ones, tests real servers. */
export function createActivities(dependencies: ActivityDependencies) {
  const { providers, ledger } = dependencies;

  return {
    /** One request to the provider, normalised. Failures carry the type the workflow understands. */
    async pollOrder(request: PollRequest): Promise<Observation> {
      const adapter = providers[request.provider];
      if (adapter === undefined) {
        // Not configured on this worker: retryable, so a worker that has the provider can take it.
        throw ApplicationFailure.create({
          type: ErrorType.unavailable,
          message: `provider ${request.provider} is not configured on this worker`,
        });
      }
      try {
        return await adapter.fetchOrder(request.orderId, Context.current().cancellationSignal);
      } catch (error) {
        const failure = toApplicationFailure(error, request.minRequestGapMs);
        const level = error instanceof ProviderCallError && error.kind === 'credentials_refused' ? 'error' : 'warn';
        log[level]('provider request failed', {
          orderKey: orderKey(request.provider, request.orderId),
          errorType: failure.type,
          error: failure.message,
          attempt: Context.current().info.attempt,
        });
        throw failure;
      }
    },

    /** Writes the order's outcome to the ledger; idempotent by the order key. */
    async recordOutcome(record: OutcomeRecord): Promise<RecordedOutcome> {
      const result = await ledger.record(record);
      log.info('outcome recorded', {
        orderKey: orderKey(record.provider, record.orderId),
        outcome: result.row.outcome,
        recordedNow: result.recorded,
      });
      return { recorded: result.recorded, outcome: result.row.outcome, callback: result.row.callback };
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
