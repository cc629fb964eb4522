/** The hooks code that embeds the worker runs once per recorded outcome, what they are told, and the activity that runs them. */
import { Context } from '@temporalio/activity';
import { callbackIdempotencyKey } from '../callbacks/callback-sender';
import type { Outcome, ProviderName } from '../domain/types';
import type { Ledger, LedgerRow } from '../storage/ledger/ledger';

/**
 * What a hook gets. Hooks run at least once per recorded outcome, not exactly once: the hook's key is
 * marked done in the ledger after it returns, so a crash between the two runs it again. Dedupe with
 * the keys below in whatever the hook calls.
 */
export interface HookContext {
  provider: ProviderName;
  orderId: string;
  outcome: Outcome;
  /** `<callback key>:<hook>`, e.g. `magma:abc:succeeded:onSucceeded`: pass it on to anything the hook calls. */
  idempotencyKey: string;
  /**
   * The Idempotency-Key the outcome's callback carries (`<provider>:<orderId>:<outcome>`, plus the
   * record's time for a non-final outcome): the same value the callback receiver dedupes on.
   */
  callbackIdempotencyKey: string;
  row: LedgerRow;
}

export type FulfilmentHook = (context: HookContext) => Promise<void> | void;

export interface FulfilmentHooks {
  onSucceeded?: FulfilmentHook;
  onFailed?: FulfilmentHook;
  onTimedOut?: FulfilmentHook;
  onCancelled?: FulfilmentHook;
}

/** Well inside the workflow's hook heartbeat timeout (20 s). */
export const HOOK_HEARTBEAT_INTERVAL_MS = 5_000;

export const HOOK_FOR_OUTCOME: Record<Outcome, keyof FulfilmentHooks> = {
  succeeded: 'onSucceeded',
  failed: 'onFailed',
  timed_out: 'onTimedOut',
  tracking_cancelled: 'onCancelled',
};

export interface FulfilmentStep {
  provider: ProviderName;
  orderId: string;
  outcome: Outcome;
}

/**
 * The `runHook` activity: runs the worker's hook for the recorded outcome; its key is marked done in
 * the ledger after it returns, so a retry skips it. At least once: a crash between the hook and the
 * mark runs it again. Resolves with the hook's idempotency key, or null when there is no hook to run.
 */
export function createHookRunner(ledger: Ledger, hooks: FulfilmentHooks | undefined) {
  return async function runHook(step: FulfilmentStep): Promise<string | null> {
    const name = HOOK_FOR_OUTCOME[step.outcome];
    const hook = hooks?.[name];
    if (hook === undefined) return null;
    const row = await ledger.find(step.provider, step.orderId);
    // The row names the record (a non-final outcome recorded again gets a key of its own).
    if (row === undefined || row.outcome !== step.outcome) return null;
    const callbackKey = callbackIdempotencyKey(row);
    const idempotencyKey = `${callbackKey}:${name}`;
    if (row.hooksDone.includes(idempotencyKey)) return idempotencyKey;
    // Heartbeats tell the server this worker is alive (the workflow sets a heartbeat timeout), so a
    // crash during a hook is retried in seconds, not after the 5-minute start-to-close.
    const context = Context.current();
    const heartbeats = setInterval(() => context.heartbeat(), HOOK_HEARTBEAT_INTERVAL_MS);
    try {
      await hook({ provider: step.provider, orderId: step.orderId, outcome: step.outcome, idempotencyKey, callbackIdempotencyKey: callbackKey, row });
    } finally {
      clearInterval(heartbeats);
    }
    await ledger.markHookDone(step.provider, step.orderId, idempotencyKey);
    return idempotencyKey;
  };
}
