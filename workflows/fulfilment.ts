/** After an outcome is recorded: the signed callback (retried for days) and the worker's hook (a day). */
import { CancellationScope, log, proxyActivities } from '@temporalio/workflow';
import type { Activities, FulfilmentStep } from '../activities';
import type { CallbackState } from './types';

/** Ledger writes are local and cheap; retry them until they succeed, whatever it takes. */
const FULFILMENT_ATTEMPT_TIMEOUT_MS = 30_000;

export const fulfilment = proxyActivities<Activities>({
  startToCloseTimeout: FULFILMENT_ATTEMPT_TIMEOUT_MS,
  retry: { initialInterval: 1_000, backoffCoefficient: 2, maximumInterval: 60_000 },
});
/** Receivers go down for maintenance; keep trying for days, then `order-tracker redeliver` remains. */
const CALLBACK_DELIVERY_WINDOW_MS = 3 * 24 * 3_600_000;
const callbacks = proxyActivities<Activities>({
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
  startToCloseTimeout: 5 * 60_000,
  heartbeatTimeout: HOOK_HEARTBEAT_TIMEOUT_MS,
  scheduleToCloseTimeout: HOOK_WINDOW_MS,
  retry: { initialInterval: 1_000, backoffCoefficient: 2, maximumInterval: 5 * 60_000 },
});

export interface FulfilmentReport {
  callback?: CallbackState;
  attention?: string;
}

/** The callback (when one is pending) and the hook; each change is reported as it happens. */
export async function deliverAndRunHook(step: FulfilmentStep, callbackPending: boolean, report: (change: FulfilmentReport) => void): Promise<void> {
  await CancellationScope.nonCancellable(async () => {
    if (callbackPending) {
      try {
        report({ callback: await callbacks.deliverCallback(step) });
      } catch (error) {
        log.error('callback not delivered within its window; order-tracker redeliver can resend it', { error: String(error) });
        report({ attention: 'callback not delivered' });
      }
    }
    try {
      await hooks.runHook(step);
    } catch (error) {
      log.error('fulfilment hook failed for a day; giving up', { error: String(error) });
      report({ attention: 'fulfilment hook failed' });
    }
  });
}
