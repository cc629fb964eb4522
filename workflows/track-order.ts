import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  isCancellation,
  log,
  makeContinueAsNewFunc,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { deliverAndRunHook, fulfilment } from './fulfilment';
import { floorSummary, renderCurrentDetails, timerSummary } from './current-details';
import { type LoopEnd, failureType, followChanges } from './follow-changes';
import { countPush, recordDetectionLag } from './order-metrics';
import { ATTENTION_ERRORS, ErrorType } from './error-types';
import { pollTaskQueue } from './ids';
import { type TrackRequest, cancelSignal, parseTrackRequest, progressQuery, statusPushedSignal, trackRequestedSignal } from './messages';
import { isTerminal, isVerdict, parseObservation } from './observation';
import { ORDER_OUTCOME, ORDER_PROVIDER, ORDER_STATUS } from './search-attributes';
import { RUN_EVENTS_BEFORE_SHORTER_RUNS, type TrackingSettings, resolveSettings } from './settings';
import {
  type TrackingState,
  applyObservation,
  initialState,
  outcomeOf,
  progressSnapshot,
  pushIsNewer,
} from './state';
import { type Observation, type Outcome, type ProviderName, type TrackOrderResult, isFinalOutcome } from './types';

export interface TrackOrderInput {
  provider: ProviderName;
  orderId: string;
  reference?: string | null;
  /** The order's max wait; after it the order ends `timed_out` (never `failed`: it may still pay). */
  maxWaitMs: number;
  settings?: Partial<TrackingSettings>;
  /** Set only by continue-as-new: the state of the run before. */
  carried?: TrackingState;
  /** `push` when a push started the order: reference and max wait are then the defaults until a `track` comes. */
  startedBy?: 'push';
  /**
   * Set only by a run that was delivering a non-final outcome when a newer push came (see
   * LATE_NEWS_PATCH): this run starts from that push, as a `statusPushed` signal.
   */
  latePush?: unknown;
}

/** One attempt of a poll: the HTTP client gives up sooner; this only catches a stuck worker. */
const POLL_ATTEMPT_TIMEOUT_MS = 30_000;
/** Backoff for a provider that keeps failing, so an outage costs a request a minute at most. */
const POLL_MAX_RETRY_INTERVAL_MS = 60_000;

/** Workflows recorded before callbacks and hooks existed end right after recordOutcome. */
export const FULFILMENT_STEPS_PATCH = 'fulfilment-callback-and-hooks';
/**
 * A poll answered before a push that arrived while it was in flight read an older state when it
 * ranks lower: it is not applied (workflows recorded before applied it, status regression included).
 */
export const POLL_OVERTAKEN_BY_PUSH_PATCH = 'poll-overtaken-by-push';

/**
 * Runs continue as new after 500 events instead of 2,000 (settings.ts): a restarted worker replays
 * every running order's current run, and 2,000-event replays held the bench's orders for minutes
 * after a SIGKILL. A continued run also waits for the poll the run before planned instead of
 * polling at the floor, so the more frequent continue-as-new costs no extra requests. Runs recorded
 * before keep the limit they were written with and poll at once.
 */
export const SHORTER_RUNS_PATCH = 'continue-as-new-after-500-events';

/**
 * Between status changes an order waits on the retry timer of one poll activity, not on a workflow
 * timer per poll (follow-changes.ts): an unchanged poll adds no event to history. Runs recorded
 * before keep the timer loop below (`follow`).
 */
export const RETRY_DRIVEN_POLLING_PATCH = 'retry-driven-polling';

/**
 * A non-final outcome (`timed_out`, `tracking_cancelled`) does not hold the order while its callback
 * and hook run (for days when the receiver is down): a newer push or a `track` arriving meanwhile
 * interrupts them and continues as new, tracking again from the push or with the track's settings.
 * Runs recorded before delivered to the end and ignored such news.
 */
export const LATE_NEWS_PATCH = 'late-news-reopens-tracking';

/**
 * A cancel is someone's decision to stop following the order: after `tracking_cancelled` only a
 * pushed verdict (succeeded, failed) tracks again, not an in-flight status (Houdini's WebSocket
 * repeats those). Runs recorded before reopened on any newer push.
 */
export const CANCEL_HOLDS_PATCH = 'cancel-holds-against-in-flight-pushes';

export async function trackOrder(input: TrackOrderInput): Promise<TrackOrderResult> {
  const { provider, orderId } = input;
  const settings = resolveSettings(input.settings);
  // Decided once per run, at its start, so a replay decides the same.
  const shorterRuns = patched(SHORTER_RUNS_PATCH);
  const retryDriven = patched(RETRY_DRIVEN_POLLING_PATCH);
  const runEventLimit =
    shorterRuns || input.settings?.continueAsNewAfterEvents !== undefined ? settings.continueAsNewAfterEvents : RUN_EVENTS_BEFORE_SHORTER_RUNS;
  const state: TrackingState = input.carried ?? initialState(Date.now(), input.maxWaitMs);
  let statusAttribute: string | null = null;
  // Where a poll's detection lag starts; runs carried from before it was kept start at the last poll.
  if (state.lastSeenAt === undefined) state.lastSeenAt = state.lastPolledAt;
  if (state.reference === undefined) state.reference = input.reference ?? null;
  if (input.carried === undefined && input.startedBy === 'push') state.awaitingTrack = true;
  // News that came while a non-final outcome was being delivered: acted on only behind LATE_NEWS_PATCH.
  // (Typed by assertion: only handlers set them, and control-flow narrowing cannot see that.)
  let lateTrack = null as TrackRequest | null;
  let latePush = null as { payload: unknown; rank: number } | null;

  // Handlers first: they only change state and never throw.
  setHandler(progressQuery, () => progressSnapshot(provider, orderId, state.reference ?? null, state));
  setHandler(trackRequestedSignal, (payload) => {
    const parsed = parseTrackRequest(payload);
    if (!parsed.ok) {
      log.warn('ignored an invalid trackRequested payload', { error: parsed.error });
      return;
    }
    if (state.outcome !== null) {
      if (!isFinalOutcome(state.outcome)) lateTrack ??= parsed.request;
      return;
    }
    const { reference, maxWaitMs } = parsed.request;
    // A reference is never replaced, only given to an order that has none.
    if (state.reference == null && reference !== null) state.reference = reference;
    // The first track of an order a push started sets its max wait, from now; later ones keep it.
    if (state.awaitingTrack === true) {
      state.awaitingTrack = false;
      state.deadline = Date.now() + maxWaitMs;
      state.deadlineMoved = true;
      log.info('a track set the max wait of an order a push started', { maxWaitMs });
    }
    publish();
  });
  setHandler(cancelSignal, (request) => {
    if (state.outcome !== null || state.cancelRequested) return;
    state.cancelRequested = true;
    const reason = request?.reason;
    state.cancelReason = typeof reason === 'string' ? reason.slice(0, 256) : null;
    log.info('tracking cancel requested', { reason: state.cancelReason });
  });
  function receivePush(payload: unknown): void {
    const parsed = parseObservation(payload);
    if (!parsed.ok) {
      log.warn('ignored an invalid statusPushed payload', { error: parsed.error });
      countPush(provider, 'invalid');
      return;
    }
    const reopens =
      state.outcome !== null &&
      !isFinalOutcome(state.outcome) &&
      pushIsNewer(state, parsed.observation) &&
      !(state.outcome === 'tracking_cancelled' && !isVerdict(parsed.observation) && patched(CANCEL_HOLDS_PATCH));
    if (reopens) {
      // The highest-ranked one starts the next run.
      if (latePush === null || parsed.observation.rank > latePush.rank) latePush = { payload, rank: parsed.observation.rank };
      countPush(provider, 'reopened');
      return;
    }
    if (state.outcome !== null || state.cancelRequested) {
      countPush(provider, 'ignored');
      return;
    }
    state.pushes += 1;
    if (!pushIsNewer(state, parsed.observation)) {
      countPush(provider, 'stale');
      return;
    }
    countPush(provider, 'applied');
    const now = Date.now();
    if (applyObservation(state, parsed.observation, 'push', now, settings) && parsed.receivedAt !== null) {
      recordDetectionLag(provider, 'push', now - parsed.receivedAt);
    }
    state.lastSeenAt = now;
    state.unconfirmedPush = true;
    state.pendingPush = parsed.observation;
    publish();
  }
  setHandler(statusPushedSignal, receivePush);

  /** Keeps search attributes and the UI's current details in step with the state. */
  function publish(): void {
    const status = state.current?.status ?? null;
    if (status !== null && status !== statusAttribute) {
      upsertSearchAttributes([{ key: ORDER_STATUS, value: status }]);
      statusAttribute = status;
    }
    setCurrentDetails(renderCurrentDetails(state, Date.now()));
  }

  function floorAt(): number {
    return state.lastPolledAt === null ? 0 : state.lastPolledAt + settings.minRequestGapMs;
  }

  async function waitUntil(time: number, summary: string, wake: () => boolean): Promise<boolean> {
    const milliseconds = time - Date.now();
    if (wake()) return true;
    if (milliseconds <= 0) return false;
    return condition(wake, milliseconds, { summary });
  }

  function shouldContinueAsNew(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= runEventLimit;
  }

  /** One poll; returns false when the order's deadline ended it. */
  async function poll(): Promise<'observed' | 'overtaken' | 'attention' | 'unavailable' | 'deadline'> {
    const remaining = state.deadline - Date.now();
    const { pollOrder } = proxyActivities<Activities>({
      taskQueue: pollTaskQueue(workflowInfo().taskQueue, provider),
      // A provider outage cannot hold the order past its max wait.
      scheduleToCloseTimeout: remaining,
      startToCloseTimeout: Math.min(POLL_ATTEMPT_TIMEOUT_MS, remaining),
      retry: {
        // Retries keep the per-order floor too; a 429 asks for longer through nextRetryDelay.
        initialInterval: settings.minRequestGapMs,
        backoffCoefficient: 2,
        maximumInterval: Math.max(POLL_MAX_RETRY_INTERVAL_MS, settings.minRequestGapMs),
        nonRetryableErrorTypes: [ErrorType.credentialsRefused, ErrorType.orderNotFound, ErrorType.requestRejected, ErrorType.invalidInput],
      },
      summary: `poll ${provider} ${orderId}`,
    });
    const currentBefore = state.current;
    try {
      // The scale only when there is one: an unscaled order's activity input stays as it was.
      const scale = settings.timeScale === 1 ? {} : { timeScale: settings.timeScale };
      const observation = await pollOrder({ provider, orderId, minRequestGapMs: settings.minRequestGapMs, ...scale });
      const now = Date.now();
      state.polls += 1;
      state.lastPolledAt = now;
      state.attention = null;
      // The provider answered, then pushed a newer status that reached us first: keep the push.
      const pushedMeanwhile = state.current !== currentBefore && state.current !== null;
      const overtaken = pushedMeanwhile && observation.rank < (state.current?.rank ?? 0) && patched(POLL_OVERTAKEN_BY_PUSH_PATCH);
      const lastSeenAt = state.lastSeenAt ?? null;
      if (!overtaken && applyObservation(state, observation, 'poll', now, settings) && lastSeenAt !== null) {
        recordDetectionLag(provider, 'poll', now - lastSeenAt);
      }
      if (!overtaken) state.lastSeenAt = now;
      state.nextPollAt = Math.max(now + observation.nextWaitMs / settings.timeScale, floorAt());
      return overtaken ? 'overtaken' : 'observed';
    } catch (error) {
      if (isCancellation(error)) throw error;
      const now = Date.now();
      state.lastPolledAt = now;
      const type = failureType(error);
      const attention = type === undefined ? undefined : ATTENTION_ERRORS[type];
      if (attention !== undefined) {
        log.warn('order needs attention; re-checking slowly', { attention });
        state.attention = attention;
        state.nextPollAt = now + settings.attentionRecheckMs;
        return 'attention';
      }
      if (now >= state.deadline) return 'deadline';
      log.warn('poll failed; trying again', { error: String(error) });
      state.attention = 'provider unavailable';
      state.nextPollAt = floorAt();
      return 'unavailable';
    } finally {
      publish();
    }
  }

  /** Waits for the next poll; a non-terminal push only moves the next poll, a terminal one ends the wait. */
  async function waitForNextPoll(): Promise<void> {
    for (;;) {
      const wakeAt = Math.min(state.nextPollAt ?? Date.now(), state.deadline);
      const awaited = timerSummary(provider, state, wakeAt, Date.now());
      const woken = await waitUntil(wakeAt, awaited, () => state.cancelRequested || state.pendingPush !== null);
      if (!woken || state.cancelRequested) return;
      const push = state.pendingPush;
      if (push === null || isTerminal(push)) return;
      state.pendingPush = null;
      state.nextPollAt = Math.max(floorAt(), Date.now() + push.nextWaitMs / settings.timeScale);
      publish();
    }
  }

  async function follow(): Promise<LoopEnd> {
    // A continued run keeps the cadence: it waits for the poll the run before planned, not just the floor.
    if (input.carried !== undefined && shorterRuns) await waitForNextPoll();
    for (;;) {
      if (state.cancelRequested) return 'tracking_cancelled';
      const push = state.pendingPush;
      state.pendingPush = null;
      if (push !== null && isTerminal(push) && !settings.confirmPushedTerminal) return outcomeOf(push) as Outcome;
      if (Date.now() >= state.deadline) return 'timed_out';
      // Only a push can bring us here before the floor: hold the per-order request floor anyway.
      await waitUntil(Math.min(floorAt(), state.deadline), floorSummary(provider, settings.minRequestGapMs), () => state.cancelRequested);
      if (state.cancelRequested) return 'tracking_cancelled';
      if (Date.now() >= state.deadline) return 'timed_out';
      const polled = await poll();
      if (polled === 'deadline') return 'timed_out';
      const verdict = polled === 'observed' && state.current !== null ? outcomeOf(state.current) : null;
      if (verdict !== null) return verdict;
      if (shouldContinueAsNew()) return 'continue_as_new';
      await waitForNextPoll();
    }
  }

  if (input.carried === undefined) {
    upsertSearchAttributes([{ key: ORDER_PROVIDER, value: provider }]);
  } else {
    state.runs += 1;
    statusAttribute = state.current?.status ?? null;
  }
  publish();
  if (input.latePush !== undefined) receivePush(input.latePush);

  let end: LoopEnd;
  try {
    end = retryDriven
      ? await followChanges({ provider, orderId, taskQueue: workflowInfo().taskQueue, settings, state, publish, shouldContinueAsNew })
      : await follow();
  } catch (error) {
    if (!isCancellation(error)) throw error;
    log.info('tracking cancelled by a Temporal cancel request');
    state.cancelRequested = true;
    end = 'tracking_cancelled';
  }

  if (end === 'continue_as_new') {
    await condition(allHandlersFinished);
    const continueAsNew = makeContinueAsNewFunc<typeof trackOrder>({
      typedSearchAttributes: workflowInfo().typedSearchAttributes,
    });
    return continueAsNew({ ...input, carried: state });
  }

  // Fulfilment: reached once per order, in a scope a cancel request cannot interrupt.
  state.outcome = end;
  state.nextPollAt = null;
  upsertSearchAttributes([{ key: ORDER_OUTCOME, value: end }]);
  publish();
  const recorded = await CancellationScope.nonCancellable(() =>
    fulfilment.recordOutcome({
      provider,
      orderId,
      reference: state.reference ?? null,
      outcome: end,
      observation: state.current,
      transitions: state.transitions,
      workflowId: workflowInfo().workflowId,
      occurredAt: new Date().toISOString(),
    }),
  );
  state.recorded = recorded.recorded;
  state.callback = recorded.callback;
  if (recorded.outcome !== end) {
    // The ledger already held a final verdict for this order (tracked elsewhere); it stands.
    state.outcome = recorded.outcome;
    upsertSearchAttributes([{ key: ORDER_OUTCOME, value: recorded.outcome }]);
  }
  publish();
  // Nothing new recorded (a final outcome was already there): nothing to deliver or run again.
  let reopenable = false;
  if (patched(FULFILMENT_STEPS_PATCH) && recorded.recorded) {
    const step = { provider, orderId, outcome: recorded.outcome };
    reopenable = !isFinalOutcome(recorded.outcome) && patched(LATE_NEWS_PATCH);
    const lateNews = () => lateTrack !== null || latePush !== null;
    await deliverAndRunHook(
      step,
      recorded.callback === 'pending',
      (change) => {
        if (change.callback !== undefined) state.callback = change.callback;
        if (change.attention !== undefined) state.attention = change.attention;
        publish();
      },
      reopenable ? lateNews : undefined,
    );
  }
  // After a cancel request the root scope is cancelled: wait for handlers where that cannot interrupt.
  await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
  if (reopenable && (lateTrack !== null || latePush !== null)) {
    // A track brings its own settings; a push tracks again for the max wait this order had, until a track.
    const reference = lateTrack?.reference ?? state.reference ?? null;
    const maxWaitMs = lateTrack?.maxWaitMs ?? input.maxWaitMs;
    log.info('late news after a non-final outcome: tracking again', { outcome: recorded.outcome, by: lateTrack === null ? 'push' : 'track' });
    const continueAsNew = makeContinueAsNewFunc<typeof trackOrder>({
      typedSearchAttributes: [{ key: ORDER_PROVIDER, value: provider }],
      memo: { startedBy: lateTrack === null ? 'push' : 'track', reference, maxWaitMs },
    });
    return continueAsNew({
      provider,
      orderId,
      reference,
      maxWaitMs,
      ...(input.settings === undefined ? {} : { settings: input.settings }),
      ...(lateTrack === null ? { startedBy: 'push' as const } : {}),
      ...(latePush === null ? {} : { latePush: latePush.payload }),
    });
  }
  return {
    outcome: state.outcome,
    recorded: recorded.recorded,
    status: state.current?.status ?? null,
    phase: state.current?.phase ?? null,
    polls: state.polls,
    pushes: state.pushes,
    details: state.current?.details ?? {},
    startedAt: new Date(state.startedAt).toISOString(),
    finishedAt: new Date().toISOString(),
    attention: state.attention,
  };
}
