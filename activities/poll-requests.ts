/**
 * What the workflow asks of the poll activities, and how retry-driven polling answers "not yet": a
 * BENIGN failure whose retry is the wait (workflows/follow-changes.ts).
 */
import { ApplicationFailure } from '@temporalio/activity';
import { ApplicationFailureCategory } from '@temporalio/common';
import { formatDuration } from '../workflows/current-details';
import { ErrorType } from '../workflows/error-types';
import { isOlder } from '../domain/newer';
import type { Details, Observation, ProviderName } from '../domain/types';

export interface PollRequest {
  provider: ProviderName;
  orderId: string;
  minRequestGapMs: number;
  /** Whether a verified push has reached the order; absent means no (push-fallback.ts). */
  pushesSeen?: boolean;
}

export interface PollUntilChangedRequest extends PollRequest {
  /** The status the order holds: an in-flight answer with this status is "not yet". Null: any answer is news. */
  knownStatus: string | null;
  /**
   * An in-flight answer ranked below this is "not yet" too: the provider has not caught up with a
   * push the order applied. Null after a poll: then any other status is news, a step back included.
   */
  minRank: number | null;
  /**
   * Set when the first request must wait (the cadence after a change, the per-order floor): how long
   * after the activity is scheduled. Relative, so a worker's clock never shifts it.
   */
  firstRequestInMs?: number;
  /**
   * Set by orders of the poll-groups shape (workflows/group-wait.ts): with an in-flight answer the
   * order joins its provider's poll group, when this worker runs groups for that provider; and its
   * request keeps the order's floor in its member row, shared with its group.
   */
  joinGroup?: GroupJoin;
  /** Polling on its own since its group fell silent: an attempt that finds the group looking again hands the order back. */
  regroupable?: boolean;
}

/** What a group needs to know of an order that joins it, beside the answer. */
export interface GroupJoin {
  /** The order's max-wait deadline (epoch ms). */
  deadlineMs: number;
  attentionRecheckMs: number;
  /** How long its group may leave the order unlooked-at before it counts as silent (the watch's minimum). */
  silenceMinimumMs: number;
}

/** The group an order belongs to: `poll-group:<provider>:<shard>`. */
export interface GroupMembership {
  shard: number;
}

/** The change a poll found, and how many requests the wait took. */
export interface ChangeAnswer {
  observation: Observation;
  requests: number;
  /** Set when the order joined (or is still in) its poll group with this answer: it waits on the group now. */
  group?: GroupMembership;
  /** When the request went out (epoch ms): an answer older than one its group reported changes nothing. */
  observedAt?: number;
}

/** An order polling on its own found its group looking at it again: it waits on the group again. */
export interface RegroupedAnswer {
  regrouped: GroupMembership;
  requests: number;
}

export type PollAnswer = ChangeAnswer | RegroupedAnswer;

export function isRegrouped(answer: PollAnswer): answer is RegroupedAnswer {
  return 'regrouped' in answer;
}

/** The order's watch over its group (workflows/group-wait.ts): one attempt now and then, no request to the provider. */
export interface GroupWatchRequest {
  provider: ProviderName;
  orderId: string;
  shard: number;
  /** What the order holds: rewritten into its member row if the row was lost. */
  knownStatus: string | null;
  knownRank: number | null;
  nextWaitMs: number | null;
  minRequestGapMs: number;
  attentionRecheckMs: number;
  deadlineMs: number;
  pushesSeen: boolean;
  /** The watch looks again this long after a look that found the group at work. */
  checkEveryMs: number;
  silenceMinimumMs: number;
}

/** The group stopped looking at the order (since `silentSinceMs`): the order polls on its own. */
export interface GroupSilence {
  silentSinceMs: number;
}

/** The details of a "not yet" failure: the client shows them as the order's live progress. */
export interface NotYetDetails {
  /** Requests this wait has made so far. */
  requests: number;
  status: string | null;
  /** ISO time of the next request (this failure's retry). */
  nextPollAt: string;
  /** The last answer's details (confirmations, expiry), which the order's state has not seen. */
  details: Details | null;
  /** Something a person should look at while the wait goes on (an order the provider does not know yet). */
  attention?: string | null;
}

/** Whether an answer ends the wait: a final status, or an in-flight one the order does not hold yet. */
export function isChange(request: Pick<PollUntilChangedRequest, 'knownStatus' | 'minRank'>, observation: Observation): boolean {
  if (observation.phase !== 'in_flight') return true;
  if (observation.status === request.knownStatus) return false;
  return request.minRank === null || !isOlder({ rank: request.minRank }, observation);
}

export function notYet(
  type: string,
  request: PollUntilChangedRequest,
  requests: number,
  status: string | null,
  waitMs: number,
  observation: Observation | null,
  attention: string | null = null,
): ApplicationFailure {
  const nextPollAt = new Date(Date.now() + waitMs).toISOString();
  const next = `next at ${nextPollAt.slice(11, 19)} UTC`;
  const message =
    attention !== null
      ? `${attention} (${requests} ${requests === 1 ? 'request' : 'requests'}); ${next}`
      : observation === null
        ? `first ${request.provider} poll of this wait at ${nextPollAt.slice(11, 19)} UTC`
        : `still ${status} after ${requests} ${requests === 1 ? 'poll' : 'polls'}; ${next}`;
  const details: NotYetDetails = { requests, status, nextPollAt, details: observation?.details ?? null, ...(attention !== null && { attention }) };
  const failure = ApplicationFailure.create({ type, message, nextRetryDelay: Math.ceil(waitMs), category: ApplicationFailureCategory.BENIGN, details: [details] });
  // The server keeps every attempt's failure as the activity's last failure, written at each retry:
  // a "not yet" is an answer, not an error, and its stack trace (about 1 KB) would say nothing.
  failure.stack = '';
  return failure;
}

/**
 * "The provider does not know this order yet": a push or a merchant may be quicker than the
 * provider's database. For an order with no status yet a not-found answer is a BENIGN "not yet"
 * like an unchanged status — no failed activity, no stack trace, no warning per attempt — asked
 * again at the per-order floor for NOT_FOUND_QUIET_REQUESTS requests (5 minutes at the 5 s floor),
 * then every NOT_FOUND_QUIET_REQUESTS floors (5 minutes), with its attention escalated.
 */
export const NOT_FOUND_QUIET_REQUESTS = 60;

export function notFoundYet(request: PollUntilChangedRequest, requests: number): ApplicationFailure {
  const escalated = requests >= NOT_FOUND_QUIET_REQUESTS;
  const slowMs = request.minRequestGapMs * NOT_FOUND_QUIET_REQUESTS;
  const attention = escalated
    ? `order not found at ${request.provider} after ${formatDuration(slowMs)}: check the order id; asking every ${formatDuration(slowMs)}`
    : `order not found at ${request.provider} yet`;
  return notYet(ErrorType.orderNotFoundYet, request, requests, null, escalated ? slowMs : request.minRequestGapMs, null, attention);
}
