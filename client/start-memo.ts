/**
 * Who started an order's run and with what (its memo), and what a `track` of that running order
 * did with its own reference and max wait.
 */
import type { TrackRequest } from '../workflows/messages';
import type { Outcome } from '../domain/types';

/** What a `track` of an order that was already running did with its reference and max wait. */
export interface JoinedOrder {
  /** Who started the running order: a push (default max wait, no reference), an earlier track, or reconciliation. */
  startedBy: 'push' | 'track' | 'reconcile';
  /** Handed to the running order (it takes a reference only when it has none, a max wait only from the first track after a push). */
  handedOver: Array<'reference' | 'maxWait'>;
  /** Settings of the running order that differ from this track's and stay as they are. */
  kept: { reference?: string | null; maxWaitMs?: number };
  /**
   * The running order had ended with this non-final outcome and was delivering it: the track
   * interrupts that and tracks again with its own settings (LATE_NEWS_PATCH in workflows/patches.ts).
   */
  reopens?: Outcome;
}

/** Who started an order's run and with what, kept in its memo: a `track` of a running order reads it to say what it did. */
export interface StartMemo {
  /** `reconcile`: a list sweep found the order untracked (workers' <PROVIDER>_RECONCILE). */
  startedBy: 'push' | 'track' | 'reconcile';
  /** A track's own id, so it knows whether it started the run it got back. */
  requestId?: string;
  reference: string | null;
  maxWaitMs: number;
}

export function startMemoOf(memo: Record<string, unknown> | undefined): StartMemo | undefined {
  const { startedBy, requestId, reference, maxWaitMs } = memo ?? {};
  if (startedBy !== 'push' && startedBy !== 'track' && startedBy !== 'reconcile') return undefined;
  if (typeof maxWaitMs !== 'number' || (reference !== null && typeof reference !== 'string')) return undefined;
  return { startedBy, reference, maxWaitMs, ...(typeof requestId === 'string' ? { requestId } : {}) };
}

/**
 * Mirrors trackRequested's rule (workflows/order-handlers.ts): a reference goes to an order that has none; the
 * max wait only to an order a push started. Orders started before the memo existed count as tracked.
 */
export function joinedOrder(startedWith: StartMemo | undefined, request: TrackRequest): JoinedOrder {
  const joined: JoinedOrder = { startedBy: startedWith?.startedBy ?? 'track', handedOver: [], kept: {} };
  if (startedWith === undefined) return joined;
  if (startedWith.reference === null && request.reference !== null) joined.handedOver.push('reference');
  else if (startedWith.reference !== request.reference && request.reference !== null) joined.kept.reference = startedWith.reference;
  if (startedWith.startedBy === 'push') joined.handedOver.push('maxWait');
  else if (startedWith.maxWaitMs !== request.maxWaitMs) joined.kept.maxWaitMs = startedWith.maxWaitMs;
  return joined;
}
