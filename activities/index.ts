import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { ErrorType } from '../workflows/error-types';
import { orderKey } from '../domain/ids';
import type { CallbackState, Observation, Outcome, ProviderName } from '../domain/types';
import { type CallbackSender, callbackBody } from '../callbacks/callback-sender';
import { createCallbackDelivery } from './callback-delivery';
import type { Ledger, OutcomeRecord } from '../storage/ledger/ledger';
import { outcomeFacts } from '../storage/ledger/decide-record';
import type { ProviderRegistry } from '../providers/provider';
import { ProviderCallError } from '../providers/provider-error';
import { ProviderGate, RATE_BUDGET_WAIT_METRIC, requestIntervalFor } from './provider-gate';
import { type PushChannelReader, createPushFallback } from './push-fallback';
import { recordedAnswer } from './recorded-answer';
import { toApplicationFailure } from './to-application-failure';
import { type FulfilmentHooks, HOOK_FOR_OUTCOME, createHookRunner } from './fulfilment-hooks';
import { type PollAnswer, NOT_FOUND_QUIET_REQUESTS, type PollRequest, type PollUntilChangedRequest, isChange, notFoundYet, notYet } from './poll-requests';
import { type PollGroupDependencies, createGroupActivities } from './poll-groups/group-activities';
import type { AuditTrail } from './audit/audit-trail';
import { answerOf } from '../providers/provider-answer';

export type { FulfilmentHook, FulfilmentHooks, FulfilmentStep, HookContext } from './fulfilment-hooks';
export type {
  ChangeAnswer,
  GroupJoin,
  GroupMembership,
  GroupSilence,
  GroupWatchRequest,
  NotYetDetails,
  PollAnswer,
  PollRequest,
  PollUntilChangedRequest,
  RegroupedAnswer,
} from './poll-requests';
export type { PollGroupDependencies, RunPollGroupRequest } from './poll-groups/group-activities';
export type { GroupProgress } from './poll-groups/poll-group';
export { isChange, isRegrouped } from './poll-requests';

export interface ActivityDependencies {
  providers: ProviderRegistry;
  ledger: Ledger;
  /** Set when FULFILLMENT_WEBHOOK_URL is: every recorded outcome becomes one signed callback. */
  callbackSender?: CallbackSender;
  /** Code a worker created from code runs once per outcome (see workers/worker.ts). */
  hooks?: FulfilmentHooks;
  /** Shared by every poll of this worker: a 429 pauses the whole provider; paces requests (one per process by default, see provider-gate.ts). */
  gate?: ProviderGate;
  /** Per provider: the request budget; requests are spaced by its inverse (across workers when the gate has shared slots). */
  requestsPerSecond?: Partial<Record<ProviderName, number>>;
  /**
   * Per provider whose pushes are configured (PUSH_FALLBACK_POLL): an in-flight order is asked
   * again after at least this long, since a push reports its changes; polls only cover a lost push.
   * Only while the provider's push channel is up and a verified push reached the order (push-fallback.ts).
   */
  pushFallbackPollMs?: Partial<Record<ProviderName, number>>;
  /** The push channels' states the ingress reports (push-channels/); without it a channel counts as up. */
  pushChannels?: PushChannelReader;
  /** This worker's poll groups (POLL_GROUPS per provider); without them every order polls on its own. */
  pollGroups?: PollGroupDependencies;
  /** Keeps each answer that changed an order (audit/audit-trail.ts); the answer never leaves the activity otherwise. */
  audit?: AuditTrail;
}


export interface RecordedOutcome {
  recorded: boolean;
  /** The outcome the ledger holds: a final one recorded earlier wins over this run's. */
  outcome: Outcome;
  callback: CallbackState;
  /**
   * Whether this worker has a hook for the recorded outcome. Without one the workflow schedules no
   * runHook (HOOKS_WHERE_SET_PATCH): every worker of a task queue runs the same hooks.
   */
  hookToRun?: boolean;
}

/** Builds every activity from injected dependencies; workers pass real ones, tests real servers. */
export function createActivities(dependencies: ActivityDependencies) {
  const { providers, ledger, callbackSender, hooks } = dependencies;
  const gate = dependencies.gate ?? new ProviderGate();
  const pushFallback = createPushFallback(dependencies);
  // A little over 1/budget, so timer jitter never lets two requests closer than the budget allows.
  const requestIntervalMs = Object.fromEntries(
    Object.entries(dependencies.requestsPerSecond ?? {}).map(([provider, rate]) => [provider, requestIntervalFor(rate)]),
  ) as Partial<Record<ProviderName, number>>;

  /**
   * One request to the provider through this worker's pacing and 429 pause, normalised. With
   * `notFound`, an order the provider does not know is that answer ("not yet"), not an error.
   * `sent` learns when the request went out: what an answer is as new as (follow-changes.ts weighs
   * it against its group's reports).
   */
  async function observe(
    request: PollRequest | PollUntilChangedRequest,
    { notFound, sent }: { notFound?: () => ApplicationFailure; sent?: (at: number) => void } = {},
  ): Promise<Observation> {
    const adapter = providers[request.provider];
    if (adapter === undefined) {
      // Not configured on this worker: retryable, so a worker that has the provider can take it.
      throw ApplicationFailure.create({
        type: ErrorType.unavailable,
        message: `provider ${request.provider} is not configured on this worker`,
      });
    }
    const context = Context.current();
    const budgetWait = context.metricMeter.createHistogram(RATE_BUDGET_WAIT_METRIC, 'int', 'ms', 'Time a poll waited for its provider: pacing on this worker, or a 429 pause');
    const interval = requestIntervalMs[request.provider];
    // An order of the poll-groups shape keeps its floor in its member row, shared with its group.
    const grouped = 'joinGroup' in request && request.joinGroup !== undefined;
    if (interval !== undefined || grouped) {
      const floor = grouped ? { orderId: request.orderId, minGapMs: request.minRequestGapMs } : undefined;
      const waitMs = await gate.waitForSlot(request.provider, interval ?? 0, floor, context.cancellationSignal);
      budgetWait.record(waitMs, { provider: request.provider, cause: 'pacing' });
    }

    // Another order of this provider got a 429 (perhaps while this one waited its turn): hand the
    // wait to Temporal's retry. The retry goes back through the poll queue's rate limit, so the
    // budget holds when the pause ends (waiting here would release every waiting poll at once).
    const paused = gate.remaining(request.provider);
    if (paused > 0) {
      budgetWait.record(paused, { provider: request.provider, cause: 'retry_after' });
      throw ApplicationFailure.create({
        type: ErrorType.rateLimited,
        message: `${request.provider} asked every client to slow down; waiting ${Math.ceil(paused / 1000)} s more`,
        nextRetryDelay: Math.max(paused, request.minRequestGapMs),
      });
    }
    try {
      sent?.(Date.now());
      const observation = await adapter.fetchOrder(request.orderId, context.cancellationSignal).finally(() => {
        if (grouped) gate.answered(request.provider, request.orderId, Date.now());
      });
      const answer = answerOf(observation);
      if (dependencies.audit !== undefined && answer !== undefined) {
        await dependencies.audit.keep({ provider: request.provider, orderId: request.orderId, source: 'poll', observation, answer });
      }
      const fallbackMs = await pushFallback(request);
      if (fallbackMs === undefined || observation.phase !== 'in_flight') return observation;
      return { ...observation, nextWaitMs: Math.max(observation.nextWaitMs, fallbackMs) };
    } catch (error) {
      if (notFound !== undefined && error instanceof ProviderCallError && error.kind === 'not_found') throw notFound();
      if (error instanceof ProviderCallError && error.kind === 'rate_limited') {
        gate.pause(request.provider, error.details.retryAfterMs ?? request.minRequestGapMs);
      }
      const failure = toApplicationFailure(error, request.minRequestGapMs);
      const level = error instanceof ProviderCallError && error.kind === 'credentials_refused' ? 'error' : 'warn';
      log[level]('provider request failed', {
        orderKey: orderKey(request.provider, request.orderId),
        errorType: failure.type,
        error: failure.message,
        attempt: context.info.attempt,
      });
      throw failure;
    }
  }

  const groups = createGroupActivities(dependencies.pollGroups, { providers, gate, requestIntervalMs, pushFallback, audit: dependencies.audit });

  return {
    runPollGroup: groups.runPollGroup,
    watchPollGroup: groups.watchPollGroup,

    /** One request to the provider, normalised. Failures carry the type the workflow understands. */
    async pollOrder(request: PollRequest): Promise<Observation> {
      return observe(request);
    },

    /**
     * Polls until the provider shows a change (retry-driven polling, workflows/follow-changes.ts): an
     * answer that still shows the order's status fails BENIGN "not yet" with the phase cadence as
     * `nextRetryDelay`, so the server's retry timer is the wait and an unchanged poll costs the
     * order's history nothing. A new status, a terminal one, or a provider failure ends the attempt
     * as usual. With `firstRequestInMs`, the first attempt asks nothing and only schedules the first request.
     */
    async pollUntilChanged(request: PollUntilChangedRequest): Promise<PollAnswer> {
      const { attempt } = Context.current().info;
      const scheduledFirst = request.firstRequestInMs === undefined ? 0 : 1;
      if (attempt === 1 && request.firstRequestInMs !== undefined) {
        throw notYet(ErrorType.pollScheduled, request, 0, request.knownStatus, Math.max(1, request.firstRequestInMs), null);
      }
      const requests = attempt - scheduledFirst;
      const recorded = requests === 1 ? await recordedAnswer(ledger, request) : undefined;
      if (recorded !== undefined) return recorded;
      const { joinGroup } = request;
      // An order polling on its own since its group fell silent: the group may look at it again.
      if (joinGroup !== undefined && request.regroupable === true) {
        const regrouped = await groups.groupIsBack(request, joinGroup);
        if (regrouped !== undefined) return { regrouped, requests: requests - 1 };
      }
      let observedAt = Date.now();
      // An order with no status yet may be newer than the provider's database (notFoundYet).
      const observation = await observe(request, {
        notFound: request.knownStatus === null ? () => quietNotFound(request, requests) : undefined,
        sent: (at) => (observedAt = at),
      });
      if (isChange(request, observation)) {
        if (joinGroup === undefined) return { observation, requests };
        // The group's first request keeps the floor from this answer's arrival, not its request's.
        const group = await groups.join(request, joinGroup, observation, Date.now());
        return group === undefined ? { observation, requests, observedAt } : { observation, requests, group, observedAt };
      }
      const waitMs = Math.max(observation.nextWaitMs, request.minRequestGapMs);
      throw notYet(ErrorType.statusUnchanged, request, requests, observation.status, waitMs, observation);
    },

    /** Writes the order's outcome (and its callback body, fixed now) to the ledger; idempotent by the order key. */
    async recordOutcome(record: OutcomeRecord): Promise<RecordedOutcome> {
      const body = callbackSender === undefined ? null : callbackBody({ ...outcomeFacts(record), details: record.observation?.details ?? {} });
      const result = await ledger.record(record, body);
      // The order's tracking is over: it leaves its poll group (a group also drops it once its workflow closes).
      await dependencies.pollGroups?.members.remove(record.provider, record.orderId).catch((error: unknown) =>
        log.warn('could not remove the order from its poll group', { orderKey: orderKey(record.provider, record.orderId), error: String(error) }),
      );
      log.info('outcome recorded', {
        orderKey: orderKey(record.provider, record.orderId),
        outcome: result.row.outcome,
        recordedNow: result.recorded,
      });
      const hookToRun = hooks?.[HOOK_FOR_OUTCOME[result.row.outcome]] !== undefined;
      return { recorded: result.recorded, outcome: result.row.outcome, callback: result.row.callback, hookToRun };
    },

    /**
     * Sends the recorded callback body until a 2xx. A 4xx other than 401/403/408/429 ends as
     * `rejected` (returned, not thrown: the order's outcome stands); anything else is retried by
     * Temporal (callback-delivery.ts: 401/403 for a while, a delivered POST never sent again).
     */
    deliverCallback: createCallbackDelivery(ledger, callbackSender),

    /**
     * Runs the worker's hook for the recorded outcome; its key is marked done in the ledger after it
     * returns, so a retry skips it. At least once (fulfilment-hooks.ts).
     */
    runHook: createHookRunner(ledger, hooks),
  };
}

/** The BENIGN "not found yet", and one warning (no stack) when it escalates. */
function quietNotFound(request: PollUntilChangedRequest, requests: number): ApplicationFailure {
  if (requests === NOT_FOUND_QUIET_REQUESTS) {
    log.warn('order still not found at the provider; asking slowly', { orderKey: orderKey(request.provider, request.orderId), requests });
  }
  return notFoundYet(request, requests);
}

export type Activities = ReturnType<typeof createActivities>;
