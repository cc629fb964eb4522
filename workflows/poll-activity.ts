/**
 * The `pollUntilChanged` activity as the order schedules it: its queue (the provider's budget), its
 * timeouts and retry policy, and how its failures read (the "not yet" count, the error type).
 */
import { ActivityCancellationType, ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { ErrorType } from './error-types';
import type { FollowContext } from './follow-context';
import { pollTaskQueue } from '../domain/ids';
import type { TrackingSettings } from './settings';

/** One attempt of a poll: the HTTP client gives up sooner; this only catches a stuck worker. */
export const POLL_ATTEMPT_TIMEOUT_MS = 30_000;
/** Backoff for a provider that keeps failing, so an outage costs a request a minute at most. */
const POLL_MAX_RETRY_INTERVAL_MS = 60_000;

/** The poll activity of the order's provider, on its poll queue, for a wait of `windowMs` at most. */
export function pollActivity(context: Pick<FollowContext, 'taskQueue' | 'provider' | 'settings'>, windowMs: number, summary: string) {
  const { settings } = context;
  const window = Math.max(1, windowMs);
  return proxyActivities<Activities>({
    taskQueue: pollTaskQueue(context.taskQueue, context.provider),
    // The wait ends at the order's deadline however the provider behaves.
    scheduleToCloseTimeout: window,
    startToCloseTimeout: Math.min(POLL_ATTEMPT_TIMEOUT_MS, window),
    // "Not yet" says when to ask again (nextRetryDelay); failures back off from the per-order floor.
    retry: pollRetryPolicy(settings),
    cancellationType: ActivityCancellationType.TRY_CANCEL,
    // The poll queue's rate limit is the provider's budget: an eagerly dispatched task would bypass it.
    allowEagerDispatch: false,
    summary,
  });
}

/**
 * A poll's retries keep the per-order floor; an outage backs off to a request a minute at most; a 429
 * asks for longer through nextRetryDelay. What the provider refuses for good is not retried.
 */
export function pollRetryPolicy(settings: TrackingSettings) {
  return {
    initialInterval: settings.minRequestGapMs,
    backoffCoefficient: 2,
    maximumInterval: Math.max(POLL_MAX_RETRY_INTERVAL_MS, settings.minRequestGapMs),
    nonRetryableErrorTypes: [ErrorType.credentialsRefused, ErrorType.orderNotFound, ErrorType.requestRejected, ErrorType.invalidInput],
  };
}

/** How many requests a wait made, as its last "not yet" failure reports them. */
export function notYetRequests(error: unknown): number {
  const failure = applicationFailureOf(error);
  if (failure?.type !== ErrorType.statusUnchanged && failure?.type !== ErrorType.orderNotFoundYet) return 0;
  const requests = (failure.details?.[0] as { requests?: unknown } | undefined)?.requests;
  return typeof requests === 'number' && Number.isInteger(requests) && requests > 0 ? requests : 0;
}

/** The activity's own failure: the cause of an ActivityFailure, or of the timeout the server wrapped it in. */
function applicationFailureOf(error: unknown): ApplicationFailure | undefined {
  let cause: unknown = error instanceof ActivityFailure ? error.cause : error;
  for (let depth = 0; depth < 3 && cause instanceof Error; depth += 1) {
    if (cause instanceof ApplicationFailure) return cause;
    cause = cause.cause;
  }
  return undefined;
}

export function failureType(error: unknown): string | undefined {
  return applicationFailureOf(error)?.type ?? undefined;
}
