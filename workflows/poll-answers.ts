/**
 * What an order's own poll says, applied: an answer (counted, applied unless a push or a later
 * report overtook it, the next wait placed), or a failure (an attention re-checked slowly, or the
 * retries ended at the deadline).
 */
import { log } from '@temporalio/workflow';
import type { ChangeAnswer } from '../activities';
import { ATTENTION_ERRORS, ErrorType } from './error-types';
import { type FollowContext, cadenceOf } from './follow-context';
import { isOlderAnswer } from './group-wait';
import { recordDetectionLag } from './order-metrics';
import { failureType, notYetRequests } from './poll-activity';
import { applyObservation, overtakenByPush } from './state';

/**
 * A provider that does not know an order yet (a push or a merchant may be quicker than its
 * database) is asked again at the floor for these first minutes, then at the slow attention re-check.
 */
const NEW_ORDER_NOT_FOUND_WINDOW_MS = 5 * 60_000;

/** A poll's answer: counted, applied unless a push overtook it, and the next wait placed. Returns whether it was applied. */
export function applyAnswer(context: FollowContext, answer: ChangeAnswer): boolean {
  const { state, settings, provider } = context;
  const now = Date.now();
  const { observation } = answer;
  state.polls += answer.requests;
  state.lastPolledAt = now;
  state.attention = null;
  // A push that reached the order while this poll was on its way may already say more; so may its
  // group's report of a later answer (applied first when both came in one workflow task).
  const overtaken =
    overtakenByPush(state, observation) ||
    isOlderAnswer(state, answer.observedAt);
  if (!overtaken) {
    if (answer.observedAt !== undefined) state.observedAt = answer.observedAt;
    const cadenceMs = cadenceOf(context);
    const lastSeenAt = state.lastSeenAt ?? null;
    if (applyObservation(state, observation, 'poll', now, settings) && lastSeenAt !== null) {
      // The status changed after the wait's previous request, at most one cadence ago.
      recordDetectionLag(provider, 'poll', Math.min(cadenceMs, now - lastSeenAt));
    }
    state.unconfirmedPush = false;
  }
  state.lastSeenAt = now;
  state.nextPollAt = Math.max(now + observation.nextWaitMs, now + settings.minRequestGapMs);
  context.publish();
  return !overtaken;
}


/**
 * A wait that ended without an answer: refused (credentials, an unknown order: shown and re-checked
 * slowly) or its retries ran to the deadline (the last poll then decides). Says when to ask next.
 */
export function settleFailure(context: FollowContext, error: unknown): void {
  const { state, settings } = context;
  const now = Date.now();
  const type = failureType(error);
  // The server stopped retrying "not yet" at the deadline: the last failure counts the wait's requests.
  state.polls += notYetRequests(error);
  const attention = type === undefined ? undefined : ATTENTION_ERRORS[type];
  if (attention !== undefined) {
    state.lastPolledAt = now;
    const newOrder = type === ErrorType.orderNotFound && now - state.startedAt < NEW_ORDER_NOT_FOUND_WINDOW_MS;
    log.warn(newOrder ? 'order not found at the provider yet; asking again soon' : 'order needs attention; re-checking slowly', { attention });
    state.attention = attention;
    state.nextPollAt = now + (newOrder ? settings.minRequestGapMs : settings.attentionRecheckMs);
  } else {
    // The retries ended before the deadline: the next one would have passed it (schedule-to-close).
    // Wait for the deadline, then ask one last time.
    if (type !== undefined && type !== ErrorType.statusUnchanged && type !== ErrorType.pollScheduled) {
      log.warn('poll failed until its window closed', { error: String(error) });
      state.attention = 'provider unavailable';
    }
    // The last attempt may have asked the provider just now (the server reports it as the wait's
    // end, or as the timeout that followed it): the floor counts from here.
    if (type !== ErrorType.pollScheduled) state.lastPolledAt = now;
    state.nextPollAt = state.deadline;
  }
  context.publish();
}
