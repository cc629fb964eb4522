/**
 * Retry-driven polling (RETRY_DRIVEN_POLLING_PATCH in patches.ts): between two status changes
 * an order waits on the server's retry timer of one `pollUntilChanged` activity, whose attempts fail
 * BENIGN "not yet" with the phase cadence as `nextRetryDelay`. An unchanged poll costs the order's
 * history nothing; a change costs one activity (about ten events with its workflow task). A push or
 * a cancel cancels the waiting attempt at once; one last poll runs at the max-wait deadline.
 */
import { CancellationScope, condition, isCancellation, log } from '@temporalio/workflow';
import type { ChangeAnswer, PollAnswer, PollUntilChangedRequest, RegroupedAnswer } from '../activities';
import { formatDuration, timerSummary } from './current-details';
import { ATTENTION_ERRORS, ErrorType } from './error-types';
import { isTerminal } from './observation';
import { recordDetectionLag } from './order-metrics';
import { groupVerdict, isOlderAnswer, waitOnGroup, waitsOnGroup } from './group-wait';
import { failureType, notYetRequests, pollActivity } from './poll-activity';
import type { TrackingSettings } from './settings';
import { type TrackingState, applyObservation, outcomeOf } from './state';
import { type WaitEnd, firstEnd } from './wait-end';
import type { Observation, Outcome, ProviderName } from '../domain/types';

/** The last poll at the deadline gets this long (its retries included) before the order ends timed_out. */
const DEADLINE_POLL_WINDOW_MS = 60_000;
/**
 * A provider that does not know an order yet (a push or a merchant may be quicker than its
 * database) is asked again at the floor for these first minutes, then at the slow attention re-check.
 */
const NEW_ORDER_NOT_FOUND_WINDOW_MS = 5 * 60_000;

/** A push does not cut short a wait whose first request is due this soon (cutsShort). */
const REQUEST_DUE_SOON_MS = 2_000;

export type LoopEnd = Outcome | 'continue_as_new';

/** What the order's loop shares with its handlers: the state, and the hooks of order-run.ts. */
export interface FollowContext {
  provider: ProviderName;
  orderId: string;
  taskQueue: string;
  settings: TrackingSettings;
  state: TrackingState;
  /**
   * Keeps search attributes and the UI's current details in step with the state; `statusAttribute:
   * false` leaves the status attribute for the outcome's upsert (a final status a group reported).
   */
  publish(options?: { statusAttribute?: boolean }): void;
  shouldContinueAsNew(): boolean;
  /** Behind POLL_GROUPS_PATCH: the order joins its provider's poll group and waits on it (group-wait.ts). */
  pollGroups: boolean;
}

export async function followChanges(context: FollowContext): Promise<LoopEnd> {
  const { state, settings } = context;
  for (;;) {
    if (state.cancelRequested) return 'tracking_cancelled';
    state.deadlineMoved = false;
    const push = state.pendingPush;
    state.pendingPush = null;
    if (push !== null && !(waitsOnGroup(context) && !isTerminal(push))) {
      if (isTerminal(push) && !settings.confirmPushedTerminal) return outcomeOf(push) as Outcome;
      // A terminal push is confirmed by the next poll, as soon as the floor allows; another push
      // says when the provider's next change is likely, unless it started the order: then the
      // provider's own view (details a push lacks) is asked for at once. A grouped order's floor is
      // kept by its request's reservation, against its group's requests too (request-slots.ts).
      const after = isTerminal(push) || state.lastPolledAt === null ? 0 : push.nextWaitMs;
      state.nextPollAt = Math.max(state.group != null ? Date.now() : floorAt(context), Date.now() + after);
      context.publish();
    }
    if (groupVerdict(context)) return outcomeOf(state.current as Observation) as Outcome;
    if (Date.now() >= state.deadline) return deadlinePoll(context);
    if (context.shouldContinueAsNew()) return 'continue_as_new';

    // A pushed final status waiting for its confirming poll is asked about by the order itself.
    if (waitsOnGroup(context) && !(push !== null && isTerminal(push))) {
      const ended = await waitOnGroup(context);
      if (ended.kind === 'silent') {
        log.warn('its poll group fell silent about this order; polling on its own', { silentSinceMs: ended.silence.silentSinceMs });
        state.groupSilent = true;
      } else if (ended.kind === 'failed') {
        if (isCancellation(ended.error)) throw ended.error;
        // The watch's next look would have passed the deadline (schedule-to-close): wait for the
        // deadline, reports and pushes still applied, then ask one last time.
        state.nextPollAt = state.deadline;
        await sleepUnlessWoken(context, state.deadline);
      }
      continue;
    }

    const end = await waitForChange(context);
    if (end.kind === 'woken') continue;
    if (end.kind === 'changed') {
      if (isRegrouped(end.answer)) {
        state.polls += end.answer.requests;
        state.group = end.answer.regrouped;
        state.groupSilent = false;
        log.info('its poll group looks at this order again');
        continue;
      }
      const verdict = applyAnswer(context, end.answer) ? outcomeOf(end.answer.observation) : null;
      if (end.answer.group !== undefined) {
        state.group = end.answer.group;
        state.groupSilent = false;
      }
      if (verdict !== null) return verdict;
      continue;
    }
    if (isCancellation(end.error)) throw end.error;
    const now = Date.now();
    const type = failureType(end.error);
    // The server stopped retrying "not yet" at the deadline: the last failure counts the wait's requests.
    state.polls += notYetRequests(end.error);
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
        log.warn('poll failed until its window closed', { error: String(end.error) });
        state.attention = 'provider unavailable';
      }
      // The last attempt may have asked the provider just now (the server reports it as the wait's
      // end, or as the timeout that followed it): the floor counts from here.
      if (type !== ErrorType.pollScheduled) state.lastPolledAt = now;
      state.nextPollAt = state.deadline;
    }
    context.publish();
    await sleepUnlessWoken(context, state.nextPollAt);
  }
}

/** When the order may ask the provider again: the per-order floor after its last request. */
export function floorAt({ state, settings }: Pick<FollowContext, 'state' | 'settings'>): number {
  return state.lastPolledAt === null ? 0 : state.lastPolledAt + settings.minRequestGapMs;
}

/**
 * Where the order's own next request may go: its floor, unless the order joined a group, whose
 * requests and its own are reserved against one floor in the shared table (request-slots.ts); then
 * the reservation waits exactly as long as the floor asks, and no attempt is spent scheduling it.
 */
function ownFloorAt(context: FollowContext): number {
  return context.state.group != null ? 0 : floorAt(context);
}

function isRegrouped(answer: PollAnswer): answer is RegroupedAnswer {
  return 'regrouped' in answer;
}

/** A push, a cancel, a moved deadline, a run grown long or a final status from its group ends any wait. */
function wakeNeeded(context: FollowContext): boolean {
  const { state, shouldContinueAsNew } = context;
  // A final status its group reported ends any wait too (the order decides at the top of its loop).
  return state.cancelRequested || state.pendingPush !== null || state.deadlineMoved === true || shouldContinueAsNew() || groupVerdict(context);
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

/** A timer (where one remains: attention re-checks, the wait for the deadline), woken early like a poll. */
async function sleepUnlessWoken(context: FollowContext, until: number): Promise<void> {
  const milliseconds = Math.min(until, context.state.deadline) - Date.now();
  if (milliseconds <= 0 || wakeNeeded(context)) return;
  const summary = timerSummary(context.provider, context.state, Date.now() + milliseconds, Date.now());
  await condition(() => wakeNeeded(context), milliseconds, { summary });
}

/**
 * Schedules one pollUntilChanged and waits for it or for a wake-up; a wake-up cancels it at once
 * (TRY_CANCEL: a poll waiting for its retry is simply dropped).
 */
async function waitForChange(context: FollowContext): Promise<WaitEnd> {
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

/** The last poll, at the max-wait deadline: an order paid during an outage ends succeeded, not timed_out. */
async function deadlinePoll(context: FollowContext): Promise<Outcome> {
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

/**
 * What a poll of the poll-groups shape adds to its request: the order joins its group with an
 * in-flight answer (its floor kept in the shared table), and while its group is silent, an attempt
 * that finds the group at work again hands the order back.
 */
function groupFields({ state, settings, pollGroups }: FollowContext, regroup = true): Pick<PollUntilChangedRequest, 'joinGroup' | 'regroupable'> {
  if (!pollGroups) return {};
  return {
    joinGroup: { deadlineMs: state.deadline, attentionRecheckMs: settings.attentionRecheckMs, silenceMinimumMs: settings.groupSilenceMs },
    ...(regroup && state.groupSilent === true ? { regroupable: true } : {}),
  };
}

/** A poll's answer: counted, applied unless a push overtook it, and the next wait placed. Returns whether it was applied. */
function applyAnswer(context: FollowContext, answer: ChangeAnswer): boolean {
  const { state, settings, provider } = context;
  const now = Date.now();
  const { observation } = answer;
  state.polls += answer.requests;
  state.lastPolledAt = now;
  state.attention = null;
  // A push that reached the order while this poll was on its way may already say more; so may its
  // group's report of a later answer (applied first when both came in one workflow task).
  const overtaken =
    (state.unconfirmedPush === true && state.current !== null && !isTerminal(observation) && observation.rank < state.current.rank) ||
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

/** How often the current status is asked about: its suggested wait, never under the floor. */
function cadenceOf({ state, settings }: FollowContext): number {
  return Math.max(settings.minRequestGapMs, (state.current?.nextWaitMs ?? 0));
}

function waitSummary(context: FollowContext): string {
  const status = context.state.current?.status;
  if (status === undefined) return `first ${context.provider} poll`;
  return `poll ${context.provider} every ${formatDuration(cadenceOf(context))} until the order leaves ${status}`;
}

