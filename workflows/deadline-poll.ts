/** The last poll, at the max-wait deadline: an order paid during an outage ends succeeded, not timed_out. */
import { isCancellation, log } from '@temporalio/workflow';
import type { PollUntilChangedRequest } from '../activities';
import type { FollowContext } from './follow-context';
import { groupFields, isRegrouped, ownFloorAt } from './own-polls';
import { applyAnswer } from './poll-answers';
import { pollActivity } from './poll-activity';
import { outcomeOf } from './state';
import type { Outcome } from '../domain/types';

/** The last poll at the deadline gets this long (its retries included) before the order ends timed_out. */
const DEADLINE_POLL_WINDOW_MS = 60_000;

export async function deadlinePoll(context: FollowContext): Promise<Outcome> {
  const { state, settings } = context;
  const now = Date.now();
  const floor = ownFloorAt(context);
  const request: PollUntilChangedRequest = {
    provider: context.provider,
    orderId: context.orderId,
    minRequestGapMs: settings.minRequestGapMs,
    knownStatus: null,
    minRank: null,
    ...(floor > now ? { firstRequestInMs: floor - now } : {}),
    ...groupFields(context, false),
  };
  let verdict: Outcome | null = null;
  try {
    const summary = `last ${context.provider} poll at the max wait: a final status now still counts`;
    const answer = await pollActivity(context, DEADLINE_POLL_WINDOW_MS + Math.max(0, floor - now), summary).pollUntilChanged(request);
    if (!isRegrouped(answer) && applyAnswer(context, answer)) verdict = outcomeOf(answer.observation);
  } catch (error) {
    if (isCancellation(error)) throw error;
    log.warn('the last poll at the deadline failed', { error: String(error) });
  }
  if (state.cancelRequested) return 'tracking_cancelled';
  return verdict ?? 'timed_out';
}

