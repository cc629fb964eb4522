import { LINE_BREAK, floorSummary, formatDuration, renderCurrentDetails, timerSummary } from '../../workflows/current-details';
import { type TrackingState, initialState } from '../../workflows/state';
import type { Observation } from '../../workflows/types';

const NOW = Date.parse('2026-06-10T18:00:00.000Z');
const HOUR_MS = 3_600_000;

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [-5_000, '0s'],
    [499, '0s'],
    [500, '1s'],
    [59_000, '59s'],
    [59_500, '1m 00s'],
    [60_000, '1m 00s'],
    [245_000, '4m 05s'],
    [3_599_000, '59m 59s'],
    [3_600_000, '1h 00m'],
    [3_720_000, '1h 02m'],
    [25 * HOUR_MS + 61_000, '25h 01m'],
  ])('%i ms → %s', (milliseconds, expected) => {
    expect(formatDuration(milliseconds)).toBe(expected);
  });
});

function stateWith(current: Observation | null, changes: Partial<TrackingState> = {}): TrackingState {
  return { ...initialState(NOW - 60_000, 2 * HOUR_MS), current, ...changes };
}

const WAITING: Observation = {
  status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION',
  phase: 'in_flight',
  recognised: true,
  rank: 5,
  nextWaitMs: 45_000,
  details: { confirmations: 2 },
};

describe('renderCurrentDetails', () => {
  it.each([
    ['not polled yet', stateWith(null), ['**Status:** not polled yet', 'Polls: 0 · pushes: 0']],
    [
      'an order in flight',
      stateWith(WAITING, { nextPollAt: NOW + 45_000, polls: 3, pushes: 1 }),
      [
        '**Status:** WAITING_FOR_ON_CHAIN_CONFIRMATION (in flight)',
        'Confirmations: 2',
        'Max wait ends: in 1h 59m (2026-06-10T19:59:00.000Z)',
        'Next poll: in 45s (2026-06-10T18:00:45.000Z)',
        'Polls: 3 · pushes: 1',
      ],
    ],
    ['zero confirmations', stateWith({ ...WAITING, details: { confirmations: 0 } }), ['Confirmations: 0']],
    [
      'an unrecognised status',
      stateWith({ ...WAITING, status: 'NEW_STATE', recognised: false, details: {} }),
      ['**Status:** NEW_STATE (in flight) — unrecognised status, still tracked'],
    ],
    ['attention', stateWith(WAITING, { attention: 'credentials refused' }), ['**Attention:** credentials refused']],
    [
      'a provider expiry ahead',
      stateWith({ ...WAITING, details: { expiresAt: '2026-06-10T18:04:05.000Z' } }),
      ['Provider expiry: in 4m 05s (2026-06-10T18:04:05.000Z)'],
    ],
    [
      'a provider expiry passed',
      stateWith({ ...WAITING, details: { expiresAt: '2026-06-10T17:00:00.000Z' } }),
      ['Provider expiry: passed (2026-06-10T17:00:00.000Z)'],
    ],
    ['a next poll overdue', stateWith(WAITING, { nextPollAt: NOW - 1_000 }), ['Next poll: passed (2026-06-10T17:59:59.000Z)']],
    [
      'an outcome',
      stateWith({ ...WAITING, status: 'VALID_CHANNEL_OPENING', phase: 'succeeded', rank: 100 }, { outcome: 'succeeded' }),
      ['**Status:** VALID_CHANNEL_OPENING (succeeded)', '**Outcome:** succeeded'],
    ],
  ] as [string, TrackingState, string[]][])('%s', (_name, state, lines) => {
    const rendered = renderCurrentDetails(state, NOW).split(LINE_BREAK);
    for (const line of lines) expect(rendered).toContain(line);
  });

  it.each([
    ['no confirmations line without the detail', stateWith({ ...WAITING, details: {} }), 'Confirmations'],
    ['no confirmations line for null', stateWith({ ...WAITING, details: { confirmations: null } }), 'Confirmations'],
    ['no expiry line for an unreadable date', stateWith({ ...WAITING, details: { expiresAt: 'soon' } }), 'Provider expiry'],
    ['no attention line when all is well', stateWith(WAITING), 'Attention'],
    ['no countdowns once there is an outcome', stateWith(WAITING, { outcome: 'timed_out' }), 'Max wait ends'],
    ['no next poll once there is an outcome', stateWith(WAITING, { outcome: 'failed' }), 'Next poll'],
    ['no next poll when none is planned', stateWith(WAITING, { nextPollAt: null }), 'Next poll'],
  ] as [string, TrackingState, string][])('%s', (_name, state, absent) => {
    expect(renderCurrentDetails(state, NOW)).not.toContain(absent);
  });
});

describe('timerSummary', () => {
  it.each([
    ['the next poll, and the change it looks for', stateWith(WAITING), NOW + 45_000, 'next magma poll in 45s: is the order still WAITING_FOR_ON_CHAIN_CONFIRMATION?'],
    ['the next poll before any status', stateWith(null), NOW + 5_000, 'next magma poll in 5s'],
    ['a slow re-check and why', stateWith(WAITING, { attention: 'credentials refused' }), NOW + 600_000, 're-check of magma in 10m 00s: credentials refused'],
    [
      'the max wait, when it ends before the next poll',
      stateWith(WAITING),
      NOW + 2 * HOUR_MS - 60_000,
      'max wait ends in 1h 59m: then timed_out unless magma reports a final status',
    ],
  ] as [string, TrackingState, number, string][])('%s', (_name, state, wakeAt, summary) => {
    expect(timerSummary('magma', state, wakeAt, NOW)).toBe(summary);
  });

  it('names the floor between one order\'s requests', () => {
    expect(floorSummary('ozzobit', 5_000)).toBe('per-order request floor: 5s between ozzobit requests');
  });
});
