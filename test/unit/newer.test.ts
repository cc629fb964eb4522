import { isNewer, isOlder } from '../../domain/newer';
import { PushDeduplicator } from '../../workers/push/push-dedupe';
import type { Observation } from '../../domain/types';

const observation = (status: string, rank: number): Observation => ({
  status, phase: 'in_flight', recognised: true, rank, nextWaitMs: 1_000, details: {},
});

describe('the "is it newer" rule', () => {
  it.each([
    ['nothing held', null, 1, true, false],
    ['a step forward', 2, 3, true, false],
    ['the same rank', 2, 2, false, false],
    ['a step back', 3, 2, false, true],
  ] as [string, number | null, number, boolean, boolean][])('%s: newer %#', (_name, held, next, newer, older) => {
    const heldRank = held === null ? null : { rank: held };
    expect(isNewer(heldRank, { rank: next })).toBe(newer);
    expect(isOlder(heldRank, { rank: next })).toBe(older);
  });

  it('is the one the ingress dedupe keeps: a step back after a delivered push is stale, the same rank is not', () => {
    const dedupe = new PushDeduplicator();
    const admitted = dedupe.admit('ozzobit', 'o1', observation('PENDING_DELIVERY', 2));
    if (admitted.kind !== 'admitted') throw new Error(`expected admitted, got ${admitted.kind}`);
    admitted.release(true);
    expect(dedupe.admit('ozzobit', 'o1', observation('PROCESSING', 1)).kind).toBe('stale');
    expect(dedupe.admit('ozzobit', 'o1', observation('OTHER_AT_TWO', 2)).kind).toBe('admitted');
  });
});
