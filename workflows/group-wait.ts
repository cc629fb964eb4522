/**
 * Waiting on a poll group (POLL_GROUPS_PATCH in patches.ts). The order's provider's group polls many
 * orders from one long activity and signals an order only when it changes (`statusObserved`): an
 * unchanged poll costs the order nothing, not even an activity attempt. The order keeps one watch
 * over its group, a `watchPollGroup` activity whose rare attempts (GroupAtWork, BENIGN) ask the shared
 * table whether the group still looks at the order, and no provider: one look at once, then every
 * `groupCheckMs` (1 h; its cost does not follow the cadence). A group silent
 * about the order longer than it may be sends the order back to its own retry-driven polls
 * (follow-changes.ts) until the group looks at it again.
 */
import { ActivityCancellationType, CancellationScope, condition, isCancellation, log, proxyActivities } from '@temporalio/workflow';
import type { Activities, GroupSilence, GroupWatchRequest } from '../activities';
import { formatDuration } from './current-details';
import { type FollowContext, groupVerdict, sleepUnlessWoken } from './follow-context';
import { isTerminal, parseGroupReport } from './observation';
import { recordDetectionLag } from './order-metrics';
import { type TrackingState, applyObservation, overtakenByPush } from './state';

/** The watch's attempts only read a table row; one that hangs is a stuck worker. */
const WATCH_ATTEMPT_TIMEOUT_MS = 30_000;
/** A watch that cannot read the table (a database outage) tries again, backing off to this. */
const WATCH_MAX_RETRY_INTERVAL_MS = 5 * 60_000;

export type GroupWaitEnd = { kind: 'woken' } | { kind: 'silent'; silence: GroupSilence } | { kind: 'failed'; error: unknown };

/** Whether the order waits on its group now: it joined one and the group did not fall silent. */
export function waitsOnGroup({ state }: Pick<FollowContext, 'state'>): boolean {
  return state.group != null && state.groupSilent !== true;
}

/**
 * Whether an answer is older than the one behind what the order holds (the provider's answers, polls
 * and group reports alike, carry when they were given): a poll that was on its way while its group
 * reported a later answer changes nothing. Answers of runs recorded before carry no time.
 */
export function isOlderAnswer(state: TrackingState, observedAt: number | undefined): boolean {
  return observedAt !== undefined && state.observedAt !== undefined && observedAt < state.observedAt;
}

/**
 * One wait on the group: until news (its handlers apply reports and pushes as they come), a group
 * found silent (the order polls on its own then), or the watch's end near the deadline (a timer to
 * the deadline then, reports and pushes still applied, and the last poll follows).
 */
export async function waitOnGroupForNews(context: FollowContext): Promise<void> {
  const { state } = context;
  const ended = await waitOnGroup(context);
  if (ended.kind === 'silent') {
    log.warn('its poll group fell silent about this order; polling on its own', { silentSinceMs: ended.silence.silentSinceMs });
    state.groupSilent = true;
  } else if (ended.kind === 'failed') {
    if (isCancellation(ended.error)) throw ended.error;
    state.nextPollAt = state.deadline;
    await sleepUnlessWoken(context, state.deadline);
  }
}

/** Its group's watch, until the order's deadline; a wake-up ends it at once. */
export async function waitOnGroup(context: FollowContext): Promise<GroupWaitEnd> {
  const { state, settings, provider } = context;
  const shard = state.group?.shard ?? 0;
  const now = Date.now();
  const request: GroupWatchRequest = {
    provider,
    orderId: context.orderId,
    shard,
    knownStatus: state.current?.status ?? null,
    knownRank: state.current?.rank ?? null,
    nextWaitMs: state.current?.nextWaitMs ?? null,
    minRequestGapMs: settings.minRequestGapMs,
    attentionRecheckMs: settings.attentionRecheckMs,
    deadlineMs: state.deadline,
    pushesSeen: state.pushes > 0,
    checkEveryMs: settings.groupCheckMs,
    silenceMinimumMs: settings.groupSilenceMs,
  };
  const pushesTold = state.pushes > 0;
  context.publish();
  const scope = new CancellationScope();
  const window = Math.max(1, state.deadline - now);
  const watched = scope
    .run(() => watchActivity(window, `${provider} poll group ${shard} polls this order; the order checks on it every ${formatDuration(settings.groupCheckMs)}`).watchPollGroup(request))
    .then(
      (silence): GroupWaitEnd => ({ kind: 'silent', silence }),
      (error: unknown): GroupWaitEnd => ({ kind: 'failed', error }),
    );
  const woken = scope.run(() => condition(() => groupWaitEnds(context, pushesTold))).then(
    (): GroupWaitEnd => ({ kind: 'woken' }),
    (): GroupWaitEnd => ({ kind: 'woken' }),
  );
  const first = await Promise.race([watched, woken]);
  scope.cancel();
  return first;
}

/**
 * A cancel, a moved deadline, a long run, a final status (reported, or pushed and to be confirmed)
 * end the wait; so does the first push, which the watch tells the group (polls may slow down then).
 * Other pushes and reports are applied by their handlers while the wait goes on.
 */
function groupWaitEnds(context: FollowContext, pushesTold: boolean): boolean {
  const { state } = context;
  if (state.cancelRequested || state.deadlineMoved === true || context.shouldContinueAsNew() || groupVerdict(context)) return true;
  const push = state.pendingPush;
  return push !== null && (isTerminal(push) || (!pushesTold && state.pushes > 0));
}

function watchActivity(windowMs: number, summary: string) {
  return proxyActivities<Activities>({
    scheduleToCloseTimeout: windowMs,
    startToCloseTimeout: Math.min(WATCH_ATTEMPT_TIMEOUT_MS, windowMs),
    retry: { initialInterval: 10_000, backoffCoefficient: 2, maximumInterval: WATCH_MAX_RETRY_INTERVAL_MS },
    cancellationType: ActivityCancellationType.TRY_CANCEL,
    summary,
  });
}

/**
 * A report of the order's group: applied as the poll it is (a status a newer push overtook is not),
 * its looks counted, the detection lag measured from the group's look before. Never throws.
 */
export function receiveGroupReport(context: FollowContext, payload: unknown): void {
  const { state, settings, provider } = context;
  const parsed = parseGroupReport(payload);
  if (!parsed.ok) {
    log.warn('ignored an invalid statusObserved payload', { error: parsed.error });
    return;
  }
  if (state.outcome !== null || state.cancelRequested) return;
  const { report } = parsed;
  const now = Date.now();
  state.polls += report.requests;
  state.groupReports = (state.groupReports ?? 0) + 1;
  state.lastPolledAt = Math.min(now, report.observedAt);
  const observation = report.observation;
  if (observation === null) {
    state.attention = report.attention;
    context.publish();
    return;
  }
  const overtaken =
    overtakenByPush(state, observation) ||
    isOlderAnswer(state, report.observedAt);
  if (!overtaken) {
    state.observedAt = report.observedAt;
    state.attention = null;
    if (applyObservation(state, observation, 'poll', now, settings) && report.previousLookAt !== null) {
      recordDetectionLag(provider, 'poll', Math.max(0, now - report.previousLookAt));
    }
    state.unconfirmedPush = false;
  }
  state.lastSeenAt = now;
  state.nextPollAt = isTerminal(observation) ? null : Math.max(report.observedAt + observation.nextWaitMs, report.observedAt + settings.minRequestGapMs);
  // A final status goes to the search attributes with the outcome, in one upsert (fulfilment.ts).
  context.publish({ statusAttribute: !isTerminal(observation) });
}
