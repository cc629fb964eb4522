/**
 * Following an order until an outcome (or a run grown long), as track-order.ts reads it:
 *
 *   cancel requested?        tracking_cancelled
 *   a push arrived           a final one is confirmed by the next poll (at once, the floor held);
 *                            another one says when the provider's next change is likely
 *   its group said final     the provider's own answer: the outcome
 *   max wait reached         one last poll (deadline-poll.ts), then timed_out unless final
 *   history long             continue as new
 *   wait for news            on its poll group (group-wait.ts), or on its own poll (own-polls.ts),
 *                            whose answer or failure is applied (poll-answers.ts)
 */
import { isCancellation, log } from '@temporalio/workflow';
import { deadlinePoll } from './deadline-poll';
import { type FollowContext, type LoopEnd, floorAt, groupVerdict, sleepUnlessWoken } from './follow-context';
import { waitOnGroupForNews, waitsOnGroup } from './group-wait';
import { isTerminal } from './observation';
import { isRegrouped, waitForChange } from './own-polls';
import { applyAnswer, settleFailure } from './poll-answers';
import { outcomeOf } from './state';
import type { Observation, Outcome } from '../domain/types';

export type { FollowContext, LoopEnd } from './follow-context';
export { floorAt } from './follow-context';

export async function followChanges(context: FollowContext): Promise<LoopEnd> {
  const { state } = context;
  for (;;) {
    if (state.cancelRequested) return 'tracking_cancelled';
    state.deadlineMoved = false;
    const push = takePush(context);
    if (push !== null && push !== 'confirm') return push;
    if (groupVerdict(context)) return outcomeOf(state.current as Observation) as Outcome;
    if (Date.now() >= state.deadline) return deadlinePoll(context);
    if (context.shouldContinueAsNew()) return 'continue_as_new';

    // A pushed final status waiting for its confirming poll is asked about by the order itself.
    if (waitsOnGroup(context) && push !== 'confirm') {
      await waitOnGroupForNews(context);
      continue;
    }
    const verdict = await pollOnItsOwn(context);
    if (verdict !== null) return verdict;
  }
}

/**
 * The push the handler left for the loop, if any: `confirm` for a final status the next poll
 * confirms (as soon as the floor allows: a grouped order's floor is its request's reservation,
 * request-slots.ts), its outcome where the settings take it as it is; another push says when the
 * provider's next change is likely, unless it started the order (then the provider's own view,
 * details a push lacks, is asked for at once). A grouped order's group goes on after a push.
 */
function takePush(context: FollowContext): Outcome | 'confirm' | null {
  const { state, settings } = context;
  const push = state.pendingPush;
  state.pendingPush = null;
  if (push === null || (waitsOnGroup(context) && !isTerminal(push))) return null;
  if (isTerminal(push) && !settings.confirmPushedTerminal) return outcomeOf(push) as Outcome;
  const after = isTerminal(push) || state.lastPolledAt === null ? 0 : push.nextWaitMs;
  state.nextPollAt = Math.max(state.group != null ? Date.now() : floorAt(context), Date.now() + after);
  context.publish();
  return isTerminal(push) ? 'confirm' : null;
}

/** One wait on its own poll: an answer applied, a failure settled; the verdict when it is final. */
async function pollOnItsOwn(context: FollowContext): Promise<Outcome | null> {
  const { state } = context;
  const end = await waitForChange(context);
  if (end.kind === 'woken') return null;
  if (end.kind === 'failed') {
    if (isCancellation(end.error)) throw end.error;
    settleFailure(context, end.error);
    await sleepUnlessWoken(context, state.nextPollAt ?? state.deadline);
    return null;
  }
  if (isRegrouped(end.answer)) {
    state.polls += end.answer.requests;
    state.group = end.answer.regrouped;
    state.groupSilent = false;
    log.info('its poll group looks at this order again');
    return null;
  }
  const verdict = applyAnswer(context, end.answer) ? outcomeOf(end.answer.observation) : null;
  if (end.answer.group !== undefined) {
    state.group = end.answer.group;
    state.groupSilent = false;
  }
  return verdict;
}
