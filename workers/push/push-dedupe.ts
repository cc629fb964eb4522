/**
 * Pushes deduplicated at the ingress, before they cost a signal (and history events): a replayed
 * webhook, a socket message repeated after a reconnect, or the same status arriving by webhook and by
 * socket reaches its order once. Shared by every route and bridge of one ingress process.
 *
 *   duplicate: the same order, status and body (hash of the normalised observation) was signalled
 *              within the TTL;
 *   stale:     a push ranked below one already signalled for the order (a late replay of an older
 *              status: the order has moved on since, and would ignore it anyway).
 *
 * Memory is bounded (TTL and a maximum number of entries, the oldest dropped first), so an old push
 * may come through again after a while: harmless, the workflow keeps the highest rank. Only pushes
 * that reached their order are remembered: a copy arriving while the first is still on its way (a
 * provider's redelivery while Temporal is slow or unreachable) goes through too, since the first may
 * yet fail; two signals of one status are harmless, a lost one is not.
 */
import { createHash } from 'node:crypto';
import type { OrderTracker, PushResponse } from '../../client/order-tracker';
import { orderWorkflowId } from '../../domain/ids';
import { isNewer, isOlder } from '../../domain/newer';
import type { Observation, ProviderName } from '../../domain/types';

/** Long enough for a provider's webhook retries and a socket's reconnect replays. */
export const PUSH_DEDUPE_TTL_MS = 10 * 60_000;
/** A few hundred bytes per entry: a few MB at most. */
export const PUSH_DEDUPE_MAX_ENTRIES = 20_000;

export interface PushDedupeOptions {
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

/** Insertion-ordered map whose entries expire and whose oldest entries go first when it is full. */
class ExpiringMap<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key); // re-inserted at the end: the newest
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && entry.expiresAt > this.now()) break;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The part of an observation that says what the provider pushed (the suggested wait depends on the clock). */
function observationHash(observation: Observation): string {
  const { status, phase, recognised, rank, details } = observation;
  const sortedDetails = Object.fromEntries(Object.entries(details).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(JSON.stringify({ status, phase, recognised, rank, details: sortedDetails })).digest('hex').slice(0, 32);
}

export type PushAdmission =
  | { kind: 'admitted'; release: (delivered: boolean) => void }
  | { kind: 'duplicate' | 'stale'; reason: string };

export class PushDeduplicator {
  /** `<provider>:<orderId>:<status>:<hash>` of pushes that reached their order. */
  private readonly seen: ExpiringMap<true>;
  /** `<provider>:<orderId>` → the highest rank signalled. */
  private readonly highestRank: ExpiringMap<number>;

  constructor(options: PushDedupeOptions = {}) {
    const ttlMs = options.ttlMs ?? PUSH_DEDUPE_TTL_MS;
    const maxEntries = options.maxEntries ?? PUSH_DEDUPE_MAX_ENTRIES;
    const now = options.now ?? Date.now;
    this.seen = new ExpiringMap(ttlMs, maxEntries, now);
    this.highestRank = new ExpiringMap(ttlMs, maxEntries, now);
  }

  /**
   * Whether a push goes on to its order. It counts as seen once `release(true)` says it reached the
   * order; until then a copy is admitted as well, and `release(false)` leaves nothing behind.
   */
  admit(provider: ProviderName, orderId: string, observation: Observation): PushAdmission {
    const order = `${provider}:${orderId}`;
    const key = `${order}:${observation.status}:${observationHash(observation)}`;
    // An older status replayed after a newer one is stale, whether or not it was delivered before.
    const highest = this.highestRank.get(order);
    if (highest !== undefined && isOlder({ rank: highest }, observation)) {
      return { kind: 'stale', reason: `${observation.status} is older than a status the order was already pushed` };
    }
    if (this.seen.get(key) !== undefined) {
      return { kind: 'duplicate', reason: `the same ${observation.status} push reached the order already` };
    }
    return {
      kind: 'admitted',
      release: (delivered) => {
        if (!delivered) return;
        this.seen.set(key, true);
        const current = this.highestRank.get(order);
        if (isNewer(current === undefined ? null : { rank: current }, observation)) this.highestRank.set(order, observation.rank);
      },
    };
  }

  /** Entries held (for tests of the bound). */
  get size(): number {
    return this.seen.size;
  }
}

/**
 * The tracker the ingress's routes and bridges push through: a duplicate or stale push is answered
 * without a signal. Invalid provider names and order ids still go to the tracker, which refuses them.
 */
export function deduplicatingPushes(tracker: Pick<OrderTracker, 'push'>, deduplicator: PushDeduplicator): Pick<OrderTracker, 'push'> {
  return {
    async push(provider: string, orderId: string, observation: Observation): Promise<PushResponse> {
      const admission = deduplicator.admit(provider as ProviderName, orderId, observation);
      if (admission.kind !== 'admitted') {
        return { kind: admission.kind, workflowId: orderWorkflowId(provider as ProviderName, orderId), reason: admission.reason };
      }
      let delivered = false;
      try {
        const response = await tracker.push(provider, orderId, observation);
        delivered = response.kind === 'signalled';
        return response;
      } finally {
        admission.release(delivered);
      }
    },
  };
}
