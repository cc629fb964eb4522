import { PushDeduplicator } from '../../workers/push/push-dedupe';
import type { Observation } from '../../domain/types';

function observation(status: string, rank: number, details: Observation['details'] = {}, nextWaitMs = 5_000): Observation {
  return { status, phase: 'in_flight', recognised: true, rank, nextWaitMs, details };
}

/** Admits and, when it was admitted, marks it delivered: what a push that reached its order does. */
function deliver(deduplicator: PushDeduplicator, orderId: string, pushed: Observation): string {
  const admission = deduplicator.admit('ozzobit', orderId, pushed);
  if (admission.kind === 'admitted') admission.release(true);
  return admission.kind;
}

describe('PushDeduplicator.admit', () => {
  it.each([
    ['the same push again', [observation('PROCESSING', 1)], observation('PROCESSING', 1), 'duplicate'],
    ['the same push with another suggested wait (clock-dependent)', [observation('PROCESSING', 1, {}, 5_000)], observation('PROCESSING', 1, {}, 1_000), 'duplicate'],
    ['the same details in another order', [observation('PROCESSING', 1, { a: 1, b: 2 })], observation('PROCESSING', 1, { b: 2, a: 1 }), 'duplicate'],
    ['the same status with new details', [observation('PROCESSING', 1, { transactionHash: null })], observation('PROCESSING', 1, { transactionHash: '0xabc' }), 'admitted'],
    ['a newer status', [observation('PROCESSING', 1)], observation('PENDING_DELIVERY', 2), 'admitted'],
    ['an older status after a newer one', [observation('PROCESSING', 1), observation('PENDING_DELIVERY', 2)], observation('PROCESSING', 1, { other: true }), 'stale'],
    ['a replay of a delivered older status after a newer one', [observation('PROCESSING', 1), observation('PENDING_DELIVERY', 2)], observation('PROCESSING', 1), 'stale'],
    ['a first push', [], observation('PROCESSING', 1), 'admitted'],
  ] as [string, Observation[], Observation, string][])('%s', (_name, before, pushed, expected) => {
    const deduplicator = new PushDeduplicator();
    for (const earlier of before) deliver(deduplicator, 'order-1', earlier);
    expect(deduplicator.admit('ozzobit', 'order-1', pushed).kind).toBe(expected);
  });

  it('keeps orders and providers apart', () => {
    const deduplicator = new PushDeduplicator();
    deliver(deduplicator, 'order-1', observation('PENDING_DELIVERY', 2));
    expect(deduplicator.admit('ozzobit', 'order-2', observation('PENDING_DELIVERY', 2)).kind).toBe('admitted');
    expect(deduplicator.admit('houdini', 'order-1', observation('PENDING_DELIVERY', 2)).kind).toBe('admitted');
  });

  it('counts a push as seen only once it reached its order: a copy arriving meanwhile is delivered too (issue 29, R1)', () => {
    // The provider redelivers while the first delivery still waits on an unreachable Temporal; the
    // first then fails. Held as seen, the copy was answered `duplicate` and the push was lost.
    const deduplicator = new PushDeduplicator();
    const first = deduplicator.admit('ozzobit', 'order-1', observation('PROCESSING', 1));
    const redelivery = deduplicator.admit('ozzobit', 'order-1', observation('PROCESSING', 1));
    expect(first.kind).toBe('admitted');
    expect(redelivery.kind).toBe('admitted');
    if (first.kind === 'admitted') first.release(false);
    if (redelivery.kind === 'admitted') redelivery.release(true);
    expect(deduplicator.admit('ozzobit', 'order-1', observation('PROCESSING', 1)).kind).toBe('duplicate');
  });

  it('a failed delivery that ends after a successful copy does not forget the copy', () => {
    const deduplicator = new PushDeduplicator();
    const first = deduplicator.admit('ozzobit', 'order-1', observation('PROCESSING', 1));
    const copy = deduplicator.admit('ozzobit', 'order-1', observation('PROCESSING', 1));
    if (copy.kind === 'admitted') copy.release(true);
    if (first.kind === 'admitted') first.release(false);
    expect(deduplicator.admit('ozzobit', 'order-1', observation('PROCESSING', 1)).kind).toBe('duplicate');
  });

  it('forgets a push that did not reach its order, so its retry goes through', () => {
    const deduplicator = new PushDeduplicator();
    const first = deduplicator.admit('ozzobit', 'order-1', observation('PENDING_DELIVERY', 2));
    if (first.kind === 'admitted') first.release(false);
    expect(deduplicator.admit('ozzobit', 'order-1', observation('PENDING_DELIVERY', 2)).kind).toBe('admitted');
    // Its rank was not taken as delivered either.
    expect(deduplicator.admit('ozzobit', 'order-1', observation('PROCESSING', 1)).kind).toBe('admitted');
  });

  it('lets a push through again once its TTL has passed', () => {
    let now = 0;
    const deduplicator = new PushDeduplicator({ ttlMs: 1_000, now: () => now });
    deliver(deduplicator, 'order-1', observation('PENDING_DELIVERY', 2));
    now = 999;
    expect(deduplicator.admit('ozzobit', 'order-1', observation('PENDING_DELIVERY', 2)).kind).toBe('duplicate');
    now = 1_000;
    expect(deduplicator.admit('ozzobit', 'order-1', observation('PENDING_DELIVERY', 2)).kind).toBe('admitted');
  });

  it('holds no more than its maximum, dropping the oldest first', () => {
    const deduplicator = new PushDeduplicator({ maxEntries: 100 });
    for (let index = 0; index < 1_000; index += 1) deliver(deduplicator, `order-${index}`, observation('PROCESSING', 1));
    expect(deduplicator.size).toBe(100);
    expect(deduplicator.admit('ozzobit', 'order-999', observation('PROCESSING', 1)).kind).toBe('duplicate');
    expect(deduplicator.admit('ozzobit', 'order-0', observation('PROCESSING', 1)).kind).toBe('admitted');
  });
});
