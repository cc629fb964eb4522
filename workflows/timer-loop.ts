/**
 * The timer loop: the shape of runs recorded before RETRY_DRIVEN_POLLING_PATCH, kept so they replay.
 * A `pollOrder` activity per request and a workflow timer for each wait (about 11 events per poll
 * cycle); a push moves the next poll, a terminal push or a cancel ends the wait. New runs use
 * follow-changes.ts.
 */
import { condition, isCancellation, log, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { floorSummary, timerSummary } from './current-details';
import { ATTENTION_ERRORS } from './error-types';
import { type LoopEnd, floorAt } from './follow-context';
import { POLL_ATTEMPT_TIMEOUT_MS, failureType, pollRetryPolicy } from './poll-activity';
import { pollTaskQueue } from '../domain/ids';
import { isOlder } from '../domain/newer';
import { isTerminal } from './observation';
import { recordDetectionLag } from './order-metrics';
import type { OrderRun } from './order-run';
import { POLL_OVERTAKEN_BY_PUSH_PATCH } from './patches';
import { applyObservation, outcomeOf } from './state';
import type { Outcome } from '../domain/types';

export async function followTimerLoop(run: OrderRun): Promise<LoopEnd> {
  const { provider, settings, state } = run;
  // A continued run keeps the cadence: it waits for the poll the run before planned, not just the floor.
  if (run.input.carried !== undefined && run.shorterRuns) await waitForNextPoll(run);
  for (;;) {
    if (state.cancelRequested) return 'tracking_cancelled';
    const push = state.pendingPush;
    state.pendingPush = null;
    if (push !== null && isTerminal(push) && !settings.confirmPushedTerminal) return outcomeOf(push) as Outcome;
    if (Date.now() >= state.deadline) return 'timed_out';
    // Only a push can bring us here before the floor: hold the per-order request floor anyway.
    await waitUntil(Math.min(floorAt(run), state.deadline), floorSummary(provider, settings.minRequestGapMs), () => state.cancelRequested);
    if (state.cancelRequested) return 'tracking_cancelled';
    if (Date.now() >= state.deadline) return 'timed_out';
    const polled = await poll(run);
    if (polled === 'deadline') return 'timed_out';
    const verdict = polled === 'observed' && state.current !== null ? outcomeOf(state.current) : null;
    if (verdict !== null) return verdict;
    if (run.shouldContinueAsNew()) return 'continue_as_new';
    await waitForNextPoll(run);
  }
}

async function waitUntil(time: number, summary: string, wake: () => boolean): Promise<boolean> {
  const milliseconds = time - Date.now();
  if (wake()) return true;
  if (milliseconds <= 0) return false;
  return condition(wake, milliseconds, { summary });
}

/** One poll: what became of it. */
async function poll(run: OrderRun): Promise<'observed' | 'overtaken' | 'attention' | 'unavailable' | 'deadline'> {
  const { provider, orderId, settings, state } = run;
  const remaining = state.deadline - Date.now();
  const { pollOrder } = proxyActivities<Activities>({
    taskQueue: pollTaskQueue(run.taskQueue, provider),
    // A provider outage cannot hold the order past its max wait.
    scheduleToCloseTimeout: remaining,
    startToCloseTimeout: Math.min(POLL_ATTEMPT_TIMEOUT_MS, remaining),
    retry: pollRetryPolicy(settings),
    summary: `poll ${provider} ${orderId}`,
  });
  const currentBefore = state.current;
  try {
    const observation = await pollOrder({ provider, orderId, minRequestGapMs: settings.minRequestGapMs });
    const now = Date.now();
    state.polls += 1;
    state.lastPolledAt = now;
    state.attention = null;
    // The provider answered, then pushed a newer status that reached us first: keep the push.
    const pushedMeanwhile = state.current !== currentBefore && state.current !== null;
    const overtaken = pushedMeanwhile && isOlder(state.current, observation) && patched(POLL_OVERTAKEN_BY_PUSH_PATCH);
    const lastSeenAt = state.lastSeenAt ?? null;
    if (!overtaken && applyObservation(state, observation, 'poll', now, settings) && lastSeenAt !== null) {
      recordDetectionLag(provider, 'poll', now - lastSeenAt);
    }
    if (!overtaken) state.lastSeenAt = now;
    state.nextPollAt = Math.max(now + observation.nextWaitMs, floorAt(run));
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
    state.nextPollAt = floorAt(run);
    return 'unavailable';
  } finally {
    run.publish();
  }
}

/** Waits for the next poll; a non-terminal push only moves the next poll, a terminal one ends the wait. */
async function waitForNextPoll(run: OrderRun): Promise<void> {
  const { provider, state } = run;
  for (;;) {
    const wakeAt = Math.min(state.nextPollAt ?? Date.now(), state.deadline);
    const awaited = timerSummary(provider, state, wakeAt, Date.now());
    const woken = await waitUntil(wakeAt, awaited, () => state.cancelRequested || state.pendingPush !== null);
    if (!woken || state.cancelRequested) return;
    const push = state.pendingPush;
    if (push === null || isTerminal(push)) return;
    state.pendingPush = null;
    state.nextPollAt = Math.max(floorAt(run), Date.now() + push.nextWaitMs);
    run.publish();
  }
}
