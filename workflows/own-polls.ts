/**
 * An order asking the provider itself (RETRY_DRIVEN_POLLING_PATCH in patches.ts): between two status
 * changes it waits on the server's retry timer of one `pollUntilChanged` activity, whose attempts
 * fail BENIGN "not yet" with the phase cadence as `nextRetryDelay`. An unchanged poll costs the
 * order's history nothing; a change costs one activity (about ten events with its workflow task). A
 * push or a cancel cancels the waiting attempt at once. Orders wait this way where their provider has
 * no poll group, while their group is silent, and for their first poll and confirming polls.
 */
import { CancellationScope, condition } from '@temporalio/workflow';
import type { PollAnswer, PollUntilChangedRequest, RegroupedAnswer } from '../activities';
import { formatDuration } from './current-details';
import { type FollowContext, cadenceOf, floorAt, groupVerdict } from './follow-context';
import { isTerminal } from './observation';
import { pollActivity } from './poll-activity';
import { type WaitEnd, firstEnd } from './wait-end';

/** A push does not cut short a wait whose first request is due this soon (cutsShort). */
const REQUEST_DUE_SOON_MS = 2_000;

/**
 * Where the order's own next request may go: its floor, unless the order joined a group, whose
 * requests and its own are reserved against one floor in the shared table (request-slots.ts); then
 * the reservation waits exactly as long as the floor asks, and no attempt is spent scheduling it.
 */
export function ownFloorAt(context: FollowContext): number {
  return context.state.group != null ? 0 : floorAt(context);
}

export function isRegrouped(answer: PollAnswer): answer is RegroupedAnswer {
  return 'regrouped' in answer;
}

/**
 * Whether a wake-up cancels the wait. A cancel, a moved deadline, a long run or a final push always does. Another push
 * only while the wait has not asked yet (then it moves the first request); once the wait is asking,
 * it goes on (a push storm would otherwise cancel every wait just as it asks, and the order would
 * never poll) and its next answer is weighed against the pushed status.
 */
function cutsShort(context: FollowContext, firstRequestAt: number): boolean {
  const { state, shouldContinueAsNew } = context;
  const push = state.pendingPush;
  // The wait's schedule-to-close is the old deadline: a track that moved it needs a new wait. A final
  // status its group reported while the order asked on its own ends the wait too.
  if (state.cancelRequested || state.deadlineMoved === true || shouldContinueAsNew() || groupVerdict(context)) return true;
  // A wait whose first request is due within moments may be asking already (the workflow task started
  // a moment before it runs, and a busy worker makes the moment long: the push-storm test saw two
  // requests 1.07 s apart); runs of the poll-groups shape let it ask.
  return push !== null && (isTerminal(push) || Date.now() < firstRequestAt - (context.pollGroups ? REQUEST_DUE_SOON_MS : 0));
}

/**
 * Schedules one pollUntilChanged and waits for it or for a wake-up; a wake-up cancels it at once
 * (TRY_CANCEL: a poll waiting for its retry is simply dropped).
 */
export async function waitForChange(context: FollowContext): Promise<WaitEnd> {
  const { state, settings } = context;
  const now = Date.now();
  const cancelledBefore = CancellationScope.current().consideredCancelled;
  const firstRequestAt = Math.max(state.nextPollAt ?? now, ownFloorAt(context));
  const request: PollUntilChangedRequest = {
    provider: context.provider,
    orderId: context.orderId,
    minRequestGapMs: settings.minRequestGapMs,
    knownStatus: state.current?.status ?? null,
    // Until a poll has seen what a push said, a provider that still shows less is not news.
    minRank: state.unconfirmedPush === true && state.current !== null ? state.current.rank : null,
    ...(firstRequestAt > now ? { firstRequestInMs: firstRequestAt - now } : {}),
    // A verified push reached the order: its provider's pushes cover changes, polls may slow down.
    ...(state.pushes > 0 ? { pushesSeen: true } : {}),
    ...groupFields(context),
  };
  state.nextPollAt = Math.max(firstRequestAt, now);
  state.waitCadenceMs = state.current === null ? null : cadenceOf(context);
  context.publish();
  const scope = new CancellationScope();
  const polled = scope
    .run(() => pollActivity(context, state.deadline - now, waitSummary(context)).pollUntilChanged(request))
    .then(
      (answer): WaitEnd => ({ kind: 'changed', answer }),
      (error: unknown): WaitEnd => ({ kind: 'failed', error }),
    );
  const woken = scope.run(() => condition(() => cutsShort(context, firstRequestAt))).then(
    (): WaitEnd => ({ kind: 'woken' }),
    (): WaitEnd => ({ kind: 'woken' }),
  );
  const first = await firstEnd(polled, woken, cancelledBefore);
  scope.cancel();
  state.waitCadenceMs = null;
  if (first.kind !== 'woken') return first;
  // The poll may have answered in the same activation as the wake-up: keep its answer then.
  const settled = await polled;
  if (settled.kind === 'changed') return settled;
  countCancelledWait(context, Math.max(firstRequestAt, now));
  return first;
}

/**
 * A cancelled wait's requests are not reported back: count those its schedule implies (the first at
 * `firstRequestAt`, then one per cadence), and treat the last as just made for the floor's sake.
 */
function countCancelledWait(context: FollowContext, firstRequestAt: number): void {
  const { state } = context;
  const now = Date.now();
  if (now < firstRequestAt) return;
  state.polls += 1 + Math.floor((now - firstRequestAt) / cadenceOf(context));
  state.lastPolledAt = now;
}

/**
 * What a poll of the poll-groups shape adds to its request: the order joins its group with an
 * in-flight answer (its floor kept in the shared table), and while its group is silent, an attempt
 * that finds the group at work again hands the order back.
 */
export function groupFields({ state, settings, pollGroups }: FollowContext, regroup = true): Pick<PollUntilChangedRequest, 'joinGroup' | 'regroupable'> {
  if (!pollGroups) return {};
  return {
    joinGroup: { deadlineMs: state.deadline, attentionRecheckMs: settings.attentionRecheckMs, silenceMinimumMs: settings.groupSilenceMs },
    ...(regroup && state.groupSilent === true ? { regroupable: true } : {}),
  };
}

function waitSummary(context: FollowContext): string {
  const status = context.state.current?.status;
  if (status === undefined) return `first ${context.provider} poll`;
  return `poll ${context.provider} every ${formatDuration(cadenceOf(context))} until the order leaves ${status}`;
}

