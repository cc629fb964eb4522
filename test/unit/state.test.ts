import { applyObservation, initialState, outcomeOf, progressSnapshot, pushIsNewer } from '../../workflows/state';
import type { Observation, Phase } from '../../domain/types';

const START = Date.parse('2026-06-10T18:00:00.000Z');
const HOUR_MS = 3_600_000;

function observation(status: string, phase: Phase = 'in_flight', rank = 1, details: Observation['details'] = {}): Observation {
  return { status, phase, recognised: true, rank, nextWaitMs: 10_000, details };
}

describe('initialState', () => {
  it('starts with a poll due now and the deadline max wait away', () => {
    const state = initialState(START, 2 * HOUR_MS);
    expect(state).toMatchObject({
      startedAt: START,
      deadline: START + 2 * HOUR_MS,
      nextPollAt: START,
      lastPolledAt: null,
      polls: 0,
      pushes: 0,
      current: null,
      transitions: [],
      transitionsDropped: 0,
      outcome: null,
      recorded: false,
      callback: 'none',
    });
  });
});

describe('applyObservation', () => {
  const settings = { maxTransitions: 100 };

  it('records a transition for the first status and each change', () => {
    const state = initialState(START, HOUR_MS);
    const steps: [Observation, 'poll' | 'push', number, boolean][] = [
      [observation('WAITING_FOR_SELLER_APPROVAL'), 'poll', START, true],
      [observation('WAITING_FOR_SELLER_APPROVAL'), 'poll', START + 10_000, false],
      [observation('WAITING_FOR_BUYER_PAYMENT', 'in_flight', 2), 'push', START + 20_000, true],
      [observation('VALID_CHANNEL_OPENING', 'succeeded', 100), 'poll', START + 30_000, true],
    ];
    expect(steps.map(([next, source, now]) => applyObservation(state, next, source, now, settings))).toEqual(
      steps.map(([, , , changed]) => changed),
    );
    expect(state.transitions).toEqual([
      { status: 'WAITING_FOR_SELLER_APPROVAL', at: '2026-06-10T18:00:00.000Z', source: 'poll' },
      { status: 'WAITING_FOR_BUYER_PAYMENT', at: '2026-06-10T18:00:20.000Z', source: 'push' },
      { status: 'VALID_CHANNEL_OPENING', at: '2026-06-10T18:00:30.000Z', source: 'poll' },
    ]);
    expect(state.current?.status).toBe('VALID_CHANNEL_OPENING');
  });

  it('replaces the current observation even when the status is unchanged (fresh details)', () => {
    const state = initialState(START, HOUR_MS);
    applyObservation(state, observation('WAITING_FOR_ON_CHAIN_CONFIRMATION', 'in_flight', 5, { confirmations: 1 }), 'poll', START, settings);
    const changed = applyObservation(
      state,
      observation('WAITING_FOR_ON_CHAIN_CONFIRMATION', 'in_flight', 5, { confirmations: 2 }),
      'poll',
      START + 45_000,
      settings,
    );
    expect(changed).toBe(false);
    expect(state.current?.details).toEqual({ confirmations: 2 });
    expect(state.transitions).toHaveLength(1);
  });

  it.each([
    [2, 5, ['S1', 'S5'], 3],
    [3, 5, ['S1', 'S4', 'S5'], 2],
    [3, 3, ['S1', 'S2', 'S3'], 0],
    [4, 10, ['S1', 'S8', 'S9', 'S10'], 6],
  ])('with a cap of %i after %i statuses keeps the first and the latest', (maxTransitions, count, kept, dropped) => {
    const state = initialState(START, HOUR_MS);
    for (let index = 1; index <= count; index += 1) {
      applyObservation(state, observation(`S${index}`, 'in_flight', index), 'poll', START + index * 1_000, { maxTransitions });
    }
    expect(state.transitions.map((transition) => transition.status)).toEqual(kept);
    expect(state.transitionsDropped).toBe(dropped);
    expect(state.transitions[0]?.at).toBe(new Date(START + 1_000).toISOString());
  });
});

describe('pushIsNewer', () => {
  it.each([
    ['nothing known yet', null, observation('ANY', 'in_flight', 0), true],
    ['a higher in-flight rank', observation('A', 'in_flight', 2), observation('B', 'in_flight', 3), true],
    ['a terminal push over in flight', observation('A', 'in_flight', 7), observation('DONE', 'succeeded', 100), true],
    ['the same rank', observation('A', 'in_flight', 3), observation('A', 'in_flight', 3), false],
    ['a lower rank (a step backwards)', observation('B', 'in_flight', 3), observation('A', 'in_flight', 2), false],
    ['an unrecognised status (rank 0) over a known one', observation('A', 'in_flight', 1), observation('NEW', 'in_flight', 0), false],
    ['anything after success', observation('DONE', 'succeeded', 100), observation('LATER', 'in_flight', 101), false],
    ['anything after failure', observation('NO', 'failed', 100), observation('DONE', 'succeeded', 200), false],
  ] as [string, Observation | null, Observation, boolean][])('%s → %s', (_name, current, pushed, newer) => {
    const state = initialState(START, HOUR_MS);
    state.current = current;
    expect(pushIsNewer(state, pushed)).toBe(newer);
  });
});

describe('applyObservation and the provider\'s attention', () => {
  const settings = { maxTransitions: 10 };

  it('sets attention from an observation that has one, and clears it when a later answer has none', () => {
    const state = initialState(START, HOUR_MS);
    applyObservation(state, { ...observation('ON_HOLD', 'in_flight', 0), recognised: false, attention: 'unrecognised status ON_HOLD' }, 'poll', START, settings);
    expect(state.attention).toBe('unrecognised status ON_HOLD');
    applyObservation(state, observation('PROCESSING'), 'push', START + 1_000, settings);
    expect(state.attention).toBeNull();
  });

  it('leaves attention it did not set (credentials refused) to whoever set it', () => {
    const state = initialState(START, HOUR_MS);
    state.attention = 'credentials refused';
    applyObservation(state, observation('PROCESSING'), 'push', START, settings);
    expect(state.attention).toBe('credentials refused');
  });
});

describe('outcomeOf', () => {
  it.each([
    ['in_flight', null],
    ['succeeded', 'succeeded'],
    ['failed', 'failed'],
    // Over without a verdict (Houdini DELETED): the non-final outcome, never failed.
    ['unknown', 'timed_out'],
  ] as [Phase, string | null][])('%s → %s', (phase, outcome) => {
    expect(outcomeOf(observation('X', phase))).toBe(outcome);
  });
});

describe('progressSnapshot', () => {
  it('shows a state not polled yet', () => {
    const snapshot = progressSnapshot('magma', 'order-1', null, initialState(START, HOUR_MS));
    expect(snapshot).toEqual({
      provider: 'magma',
      orderId: 'order-1',
      reference: null,
      status: null,
      phase: null,
      recognised: true,
      outcome: null,
      polls: 0,
      pushes: 0,
      startedAt: '2026-06-10T18:00:00.000Z',
      lastPolledAt: null,
      nextPollAt: '2026-06-10T18:00:00.000Z',
      deadline: '2026-06-10T19:00:00.000Z',
      details: {},
      transitions: [],
      transitionsDropped: 0,
      attention: null,
      fulfilment: { recorded: false, callback: 'none' },
    });
  });

  it('shows an order in flight', () => {
    const state = initialState(START, HOUR_MS);
    applyObservation(state, { ...observation('NEW', 'in_flight', 0, { confirmations: 3 }), recognised: false }, 'poll', START, { maxTransitions: 10 });
    Object.assign(state, { polls: 4, pushes: 1, lastPolledAt: START + 5_000, nextPollAt: START + 15_000, attention: 'credentials refused' });
    expect(progressSnapshot('magma', 'order-1', 'ref-9', state)).toMatchObject({
      reference: 'ref-9',
      status: 'NEW',
      phase: 'in_flight',
      recognised: false,
      polls: 4,
      pushes: 1,
      lastPolledAt: '2026-06-10T18:00:05.000Z',
      nextPollAt: '2026-06-10T18:00:15.000Z',
      details: { confirmations: 3 },
      transitions: [{ status: 'NEW', at: '2026-06-10T18:00:00.000Z', source: 'poll' }],
      attention: 'credentials refused',
    });
  });

  it('shows no next poll once there is an outcome', () => {
    const state = initialState(START, HOUR_MS);
    Object.assign(state, { outcome: 'succeeded', nextPollAt: START + 10_000, recorded: true, callback: 'delivered' });
    const snapshot = progressSnapshot('houdini', 'h-1', null, state);
    expect(snapshot.nextPollAt).toBeNull();
    expect(snapshot.outcome).toBe('succeeded');
    expect(snapshot.fulfilment).toEqual({ recorded: true, callback: 'delivered' });
  });

  it('returns copies: changing the snapshot leaves the state alone', () => {
    const state = initialState(START, HOUR_MS);
    applyObservation(state, observation('A', 'in_flight', 1, { confirmations: 1 }), 'poll', START, { maxTransitions: 10 });
    const snapshot = progressSnapshot('magma', 'order-1', null, state);
    snapshot.details['confirmations'] = 99;
    (snapshot.transitions[0] as { status: string }).status = 'CHANGED';
    snapshot.transitions.push({ status: 'B', at: 'x', source: 'push' });
    expect(state.current?.details).toEqual({ confirmations: 1 });
    expect(state.transitions).toEqual([{ status: 'A', at: '2026-06-10T18:00:00.000Z', source: 'poll' }]);
  });
});
