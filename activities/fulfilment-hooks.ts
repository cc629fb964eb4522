/** The hooks code that embeds the worker runs once per recorded outcome, and what they are told. */
import type { Outcome, ProviderName } from '../domain/types';
import type { LedgerRow } from '../storage/ledger/ledger';

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
