/**
 * Between status changes an order waits on the retries of one `pollUntilChanged` activity, which
 * its own state does not see (retries leave no trace in history). The server does: its pending
 * activity has the attempt, the next attempt's time and the last "not yet" failure, whose details
 * count the requests so far. This joins that to the order's progress.
 */
import type { WorkflowExecutionDescription } from '@temporalio/client';
import { ApplicationFailure, type LoadedDataConverter } from '@temporalio/common';
import { decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import type { NotYetDetails } from '../activities';
import type { PendingPoll, Progress } from '../domain/types';

const WAIT_ACTIVITY = 'pollUntilChanged';

/** The order's pending poll as the server describes it, or null when it has none. */
export async function pendingPollOf(description: WorkflowExecutionDescription, converter: LoadedDataConverter): Promise<PendingPoll | null> {
  const pending = description.raw.pendingActivities?.find((activity) => activity.activityType?.name === WAIT_ACTIVITY);
  if (pending === undefined) return null;
  const failure = await decodeOptionalFailureToOptionalError(converter, pending.lastFailure).catch(() => undefined);
  const notYet = failure instanceof ApplicationFailure ? readNotYet(failure.details?.[0]) : null;
  const nextAttemptMs = optionalTsToMs(pending.nextAttemptScheduleTime);
  const lastAttemptMs = optionalTsToMs(pending.lastAttemptCompleteTime);
  const requests = notYet?.requests ?? 0;
  return {
    attempt: pending.attempt ?? 1,
    requests,
    lastRequestAt: requests > 0 && lastAttemptMs !== undefined ? new Date(lastAttemptMs).toISOString() : null,
    nextAttemptAt: nextAttemptMs === undefined ? (notYet?.nextPollAt ?? null) : new Date(nextAttemptMs).toISOString(),
    lastResult: failure?.message ?? null,
    details: notYet?.details ?? null,
    attention: notYet?.attention ?? null,
  };
}

function readNotYet(value: unknown): NotYetDetails | null {
  if (typeof value !== 'object' || value === null) return null;
  const { requests, nextPollAt, details } = value as Partial<NotYetDetails>;
  if (typeof requests !== 'number' || typeof nextPollAt !== 'string') return null;
  const status = (value as Partial<NotYetDetails>).status;
  const attention = (value as Partial<NotYetDetails>).attention;
  return {
    requests,
    nextPollAt,
    status: typeof status === 'string' ? status : null,
    details: typeof details === 'object' ? (details ?? null) : null,
    attention: typeof attention === 'string' ? attention : null,
  };
}

/** The progress with the pending poll's requests counted, its next attempt as the next poll, and its last answer's details. */
export function withPendingPoll(progress: Progress, pending: PendingPoll | null): Progress {
  if (pending === null || progress.outcome !== null) return progress;
  return {
    ...progress,
    polls: progress.polls + pending.requests,
    lastPolledAt: pending.lastRequestAt ?? progress.lastPolledAt,
    nextPollAt: pending.nextAttemptAt ?? progress.nextPollAt,
    details: pending.details === null ? progress.details : { ...progress.details, ...pending.details },
    // The wait's own news (an order the provider does not know yet) unless the order has its own.
    attention: progress.attention ?? pending.attention,
    pendingPoll: pending,
  };
}
