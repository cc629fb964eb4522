/** After an outcome is recorded: the signed callback (retried for days) and the worker's hook (a day). */
import {
  ActivityCancellationType,
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
  proxyActivities,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, FulfilmentStep } from '../activities';
import type { OrderRun } from './order-run';
import { FULFILMENT_STEPS_PATCH, HOOKS_WHERE_SET_PATCH, LATE_NEWS_PATCH } from './patches';
import { ORDER_OUTCOME } from './search-attributes';
import { type CallbackState, type Outcome, isFinalOutcome } from '../domain/types';

/** Ledger writes are local and cheap; retry them until they succeed, whatever it takes. */
const FULFILMENT_ATTEMPT_TIMEOUT_MS = 30_000;

export const fulfilment = proxyActivities<Activities>({
  startToCloseTimeout: FULFILMENT_ATTEMPT_TIMEOUT_MS,
  retry: { initialInterval: 1_000, backoffCoefficient: 2, maximumInterval: 60_000 },
});
/** Receivers go down for maintenance; keep trying for days, then `order-tracker redeliver` remains. */
const CALLBACK_DELIVERY_WINDOW_MS = 3 * 24 * 3_600_000;
/**
 * Interrupted delivery (late news replacing a non-final outcome) waits until the server has the
 * step cancelled: an attempt in flight finishes first, so an old callback never races the new run's.
 */
const INTERRUPT = ActivityCancellationType.WAIT_CANCELLATION_COMPLETED;
const callbacks = proxyActivities<Activities>({
  cancellationType: INTERRUPT,
  startToCloseTimeout: FULFILMENT_ATTEMPT_TIMEOUT_MS,
  scheduleToCloseTimeout: CALLBACK_DELIVERY_WINDOW_MS,
  retry: { initialInterval: 2_000, backoffCoefficient: 2, maximumInterval: 10 * 60_000 },
});
/** A hook is the worker's own code; a day of retries, then the order completes with attention set. */
const HOOK_WINDOW_MS = 24 * 3_600_000;
/**
 * runHook heartbeats while a hook runs (activities/index.ts), so an attempt whose worker died is
 * retried after this rather than after the 5-minute start-to-close (the crash test saw orders held
 * open 5 minutes by a worker killed during a no-op runHook). Changing it needs no patch: timeouts
 * are not part of the commands a replay compares.
 */
const HOOK_HEARTBEAT_TIMEOUT_MS = 20_000;
const hooks = proxyActivities<Activities>({
  cancellationType: INTERRUPT,
  startToCloseTimeout: 5 * 60_000,
  heartbeatTimeout: HOOK_HEARTBEAT_TIMEOUT_MS,
  scheduleToCloseTimeout: HOOK_WINDOW_MS,
  retry: { initialInterval: 1_000, backoffCoefficient: 2, maximumInterval: 5 * 60_000 },
});

/**
 * Reached once per order run, in a scope a cancel request cannot interrupt: records the outcome, then
 * delivers its callback and runs its hook. Resolves with the outcome that stands, whether the ledger
 * took it, and whether late news may make this run track again (a non-final outcome behind LATE_NEWS_PATCH).
 */
export interface Fulfilled {
  /** What the ledger holds: `end`, or a final verdict recorded before that stands. */
  outcome: Outcome;
  recorded: boolean;
  reopenable: boolean;
}

export async function fulfil(run: OrderRun, end: Outcome): Promise<Fulfilled> {
  const { provider, orderId, state } = run;
  state.outcome = end;
  state.nextPollAt = null;
  upsertSearchAttributes(run.outcomeAttributes(end));
  run.publish();
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
  // The ledger holds the order's outcome now, recorded by this run or before it (a final one tracked
  // again): progress says so either way; the result's `recorded` says whether this run wrote it.
  state.recorded = true;
  state.callback = recorded.callback;
  if (recorded.outcome !== end) {
    // The ledger already held a final verdict for this order (tracked elsewhere); it stands.
    state.outcome = recorded.outcome;
    upsertSearchAttributes([{ key: ORDER_OUTCOME, value: recorded.outcome }]);
  }
  run.publish();
  // Nothing new recorded (a final outcome was already there): nothing to deliver or run again.
  if (!patched(FULFILMENT_STEPS_PATCH) || !recorded.recorded) return { outcome: recorded.outcome, recorded: recorded.recorded, reopenable: false };
  const reopenable = !isFinalOutcome(recorded.outcome) && patched(LATE_NEWS_PATCH);
  const lateNews = () => run.late.track !== null || run.late.push !== null;
  const hookToRun = recorded.hookToRun !== false || !patched(HOOKS_WHERE_SET_PATCH);
  await deliverAndRunHook(
    { provider, orderId, outcome: recorded.outcome },
    { callbackPending: recorded.callback === 'pending', hookToRun },
    (change) => {
      if (change.callback !== undefined) state.callback = change.callback;
      if (change.attention !== undefined) state.attention = change.attention;
      run.publish();
    },
    reopenable ? lateNews : undefined,
  );
  return { outcome: recorded.outcome, recorded: true, reopenable };
}

export interface FulfilmentReport {
  callback?: CallbackState;
  attention?: string;
}

/**
 * The callback (when one is pending) and the hook; each change is reported as it happens. A cancel
 * request of the workflow never interrupts them; `interruptWhen` may (a non-final outcome that late
 * news replaces): the steps in progress are cancelled and the result is `interrupted`.
 */
export interface FulfilmentSteps {
  /** The recorded callback is still to be delivered. */
  callbackPending: boolean;
  /** The worker has a hook for the outcome (always, in runs recorded before HOOKS_WHERE_SET_PATCH). */
  hookToRun: boolean;
}

export async function deliverAndRunHook(
  step: FulfilmentStep,
  steps: FulfilmentSteps,
  report: (change: FulfilmentReport) => void,
  interruptWhen?: () => boolean,
): Promise<'done' | 'interrupted'> {
  return CancellationScope.nonCancellable(async () => {
    if (interruptWhen === undefined) {
      await runSteps(step, steps, report);
      return 'done';
    }
    const scope = new CancellationScope();
    let finished = false;
    const running = scope.run(() => runSteps(step, steps, report)).finally(() => (finished = true));
    await condition(() => finished || interruptWhen());
    if (finished) {
      await running;
      return 'done';
    }
    scope.cancel();
    await running.catch((error: unknown) => {
      if (!isCancellation(error)) throw error;
    });
    return 'interrupted';
  });
}

async function runSteps(step: FulfilmentStep, { callbackPending, hookToRun }: FulfilmentSteps, report: (change: FulfilmentReport) => void): Promise<void> {
  if (callbackPending) {
    try {
      report({ callback: await callbacks.deliverCallback(step) });
    } catch (error) {
      if (isCancellation(error)) throw error;
      log.error('callback not delivered within its window; order-tracker redeliver can resend it', { error: String(error) });
      report({ attention: 'callback not delivered' });
    }
  }
  if (!hookToRun) return;
  try {
    await hooks.runHook(step);
  } catch (error) {
    if (isCancellation(error)) throw error;
    log.error('fulfilment hook failed for a day; giving up', { error: String(error) });
    report({ attention: 'fulfilment hook failed' });
  }
}
