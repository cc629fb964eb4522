import { MAX_FAILURE_BACKOFF_MS, NOT_FOUND_GRACE_MS, groupSilenceAllowedMs, isNews, nextAfterAnswer, readFailure } from '../../activities/poll-groups/member-schedule';
import { nextLookAfterListing } from '../../activities/poll-groups/list-sweep';
import { decideReservation } from '../../storage/request-slots/request-slots';
import { shardOf } from '../../domain/ids';
import type { Observation } from '../../domain/types';

const member = { status: 'pending', rank: 1, attention: null, minGapMs: 5_000, recheckMs: 300_000 };

function observation(overrides: Partial<Observation>): Observation {
  return { status: 'pending', phase: 'in_flight', recognised: true, rank: 1, nextWaitMs: 5_000, details: {}, ...overrides };
}

describe('isNews', () => {
  it.each([
    ['the same status', {}, false],
    ['another status', { status: 'processing', rank: 2 }, true],
    ['a step back (the provider’s own answer)', { status: 'created', rank: 0 }, true],
    ['a final status', { status: 'successful', phase: 'succeeded' as const, rank: 9 }, true],
    ['the same status with an attention', { attention: 'unrecognised status pending' }, true],
  ])('%s → %s', (_name, overrides, expected) => {
    expect(isNews(member, observation(overrides))).toBe(expected);
  });

  it('an answer clears an attention the order shows', () => {
    expect(isNews({ ...member, attention: 'credentials refused' }, observation({}))).toBe(true);
  });
});

describe('nextAfterAnswer', () => {
  it('is the suggested wait, never under the floor', () => {
    expect(nextAfterAnswer(1_000, member, 30_000)).toBe(31_000);
    expect(nextAfterAnswer(1_000, member, 1_000)).toBe(6_000);
  });
});

describe('readFailure', () => {
  const failing = { ...member, failures: 0, registeredMs: 0 };
  it.each([
    ['credentials_refused', 'credentials refused', 300_000],
    ['rejected', 'provider rejected the request', 300_000],
  ] as const)('%s is shown and re-checked slowly', (kind, attention, after) => {
    expect(readFailure(kind, failing, 1_000_000)).toEqual({ attention, retryAt: 1_000_000 + after });
  });

  it('an unknown order is asked at the floor in its grace, then slowly', () => {
    expect(readFailure('not_found', failing, NOT_FOUND_GRACE_MS - 1)).toEqual({ attention: 'not known to the provider yet', retryAt: NOT_FOUND_GRACE_MS - 1 + 5_000 });
    expect(readFailure('not_found', failing, NOT_FOUND_GRACE_MS)).toEqual({ attention: 'order not found at provider', retryAt: NOT_FOUND_GRACE_MS + 300_000 });
  });

  it('a 429 waits for its Retry-After; an outage backs off to a minute', () => {
    expect(readFailure('rate_limited', failing, 0, 12_000)).toEqual({ attention: null, retryAt: 12_000 });
    expect(readFailure('unavailable', { ...failing, failures: 1 }, 0).retryAt).toBe(10_000);
    expect(readFailure('unavailable', { ...failing, failures: 9 }, 0).retryAt).toBe(MAX_FAILURE_BACKOFF_MS);
  });
});

describe('groupSilenceAllowedMs', () => {
  it('is three cadences, the re-check under an attention, never under the minimum', () => {
    expect(groupSilenceAllowedMs({ ...member, nextWaitMs: 45_000 }, 60_000)).toBe(135_000);
    expect(groupSilenceAllowedMs({ ...member, nextWaitMs: 5_000 }, 60_000)).toBe(60_000);
    expect(groupSilenceAllowedMs({ ...member, attention: 'credentials refused', nextWaitMs: 5_000 }, 60_000)).toBe(900_000);
  });
});

describe('nextLookAfterListing', () => {
  it('the status cadence, but no later than where the last full answer pointed', () => {
    expect(nextLookAfterListing({ minGapMs: 5_000, fullDueAt: null }, observation({ nextWaitMs: 30_000 }), 0)).toBe(30_000);
    expect(nextLookAfterListing({ minGapMs: 5_000, fullDueAt: 12_000 }, observation({ nextWaitMs: 30_000 }), 0)).toBe(12_000);
    expect(nextLookAfterListing({ minGapMs: 5_000, fullDueAt: 3_000 }, observation({ nextWaitMs: 30_000 }), 0)).toBe(30_000);
  });
});

describe('decideReservation', () => {
  it.each([
    ['a free provider and an order never asked', 100, null, null, { slot: 100, reserved: true }],
    ['the provider’s next slot', 100, 400, null, { slot: 400, reserved: true }],
    ['an order asked 2 s ago waits for its floor, taking no slot', 10_000, null, 8_000, { slot: 13_000, reserved: false }],
    ['an order whose floor ends before the provider’s slot', 10_000, 14_000, 8_000, { slot: 14_000, reserved: true }],
  ])('%s', (_name, now, next, last, expected) => {
    expect(decideReservation(now, next, last, 5_000)).toEqual(expected);
  });
});

describe('shardOf', () => {
  it('places an order in one group of n, the same everywhere, spread over all of them', () => {
    expect(shardOf('order-1', 1)).toBe(0);
    expect(shardOf('order-1', 4)).toBe(shardOf('order-1', 4));
    const counts = [0, 0, 0, 0];
    for (let index = 0; index < 4_000; index += 1) counts[shardOf(`payment-${index}`, 4)] = (counts[shardOf(`payment-${index}`, 4)] ?? 0) + 1;
    for (const count of counts) expect(count).toBeGreaterThan(800);
  });
});
