import { withGroupPolls } from '../../client/group-progress';
import type { Progress } from '../../domain/types';

const T0 = Date.parse('2026-12-07T10:00:00.000Z');

function progress(overrides: Partial<Progress>): Progress {
  return {
    provider: 'miraclecash', orderId: 'p-1', reference: null, status: 'pending', phase: 'in_flight', recognised: true, outcome: null,
    polls: 3, pushes: 0, startedAt: new Date(T0 - 60_000).toISOString(), lastPolledAt: new Date(T0).toISOString(),
    nextPollAt: new Date(T0 + 5_000).toISOString(), deadline: new Date(T0 + 86_400_000).toISOString(), details: {}, transitions: [],
    transitionsDropped: 0, attention: null, fulfilment: { recorded: false, callback: 'none' }, pollGroup: 'poll-group:miraclecash:1',
    ...overrides,
  };
}

describe('withGroupPolls', () => {
  it.each([
    ['before the next look', 2_000, 3, T0, T0 + 5_000],
    ['at the next look', 5_000, 4, T0 + 5_000, T0 + 10_000],
    ['four cadences later', 21_000, 7, T0 + 20_000, T0 + 25_000],
  ])('%s: the polls the cadence implies are counted, the next one placed', (_name, elapsed, polls, lastAt, nextAt) => {
    const projected = withGroupPolls(progress({}), T0 + elapsed);
    expect(projected).toMatchObject({ polls, lastPolledAt: new Date(lastAt).toISOString(), nextPollAt: new Date(nextAt).toISOString() });
    expect(projected.pendingPoll?.lastResult).toBe('polled by poll-group:miraclecash:1 every 5 s; the order hears of changes only');
  });

  it('leaves an order that polls on its own, or has ended, as the query said', () => {
    for (const alone of [progress({ pollGroup: null }), progress({ outcome: 'succeeded' }), progress({ pollGroup: undefined })]) {
      expect(withGroupPolls(alone, T0 + 60_000)).toBe(alone);
    }
  });
});
