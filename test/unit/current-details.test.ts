import { LINE_BREAK, floorSummary, formatDuration, formatTime, renderCurrentDetails, timerSummary } from '../../workflows/current-details';
import { type TrackingState, initialState } from '../../workflows/state';
import type { Observation } from '../../domain/types';

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

describe('formatTime', () => {
  it.each([
    ['the same UTC day: the time', NOW + 45_000, '18:00:45 UTC'],
    ['another day: the date and minutes', NOW + 7 * HOUR_MS, '2026-06-11 01:00 UTC'],
    ['an earlier day too', NOW - 19 * HOUR_MS, '2026-06-09 23:00 UTC'],
  ])('%s', (_name, at, expected) => {
    expect(formatTime(at, NOW)).toBe(expected);
  });
});

describe('renderCurrentDetails', () => {
  it.each([
    ['not polled yet', stateWith(null), ['**Status:** not polled yet', 'Polls: 0 · pushes: 0']],
    [
      'an order in flight, by importance: status, countdowns, the provider\'s progress, counts',
      stateWith({ ...WAITING, details: { confirmations: 2, timeout: '2026-06-10T18:59:59.000Z' } }, { nextPollAt: NOW + 45_000, polls: 3, pushes: 1 }),
      [
        '**Status:** WAITING_FOR_ON_CHAIN_CONFIRMATION (in flight)',
        'Next poll: in 45s (18:00:45 UTC) · Max wait ends: in 1h 59m (19:59:00 UTC)',
        'Provider expiry: in 59m 59s (18:59:59 UTC) · Confirmations: 2',
        'Polls: 3 · pushes: 1',
      ],
    ],
    ['zero confirmations', stateWith({ ...WAITING, details: { confirmations: 0 } }), ['Confirmations: 0']],
    [
      'an unrecognised status',
      stateWith({ ...WAITING, status: 'NEW_STATE', recognised: false, details: {} }),
      ['**Status:** NEW_STATE (in flight) — unrecognised status, still tracked'],
    ],
    [
      'attention, right after the status',
      stateWith(WAITING, { attention: 'credentials refused', nextPollAt: null }),
      ['**Status:** WAITING_FOR_ON_CHAIN_CONFIRMATION (in flight)', '**Attention:** credentials refused', 'Max wait ends: in 1h 59m (19:59:00 UTC)'],
    ],
    [
      'a provider expiry ahead',
      stateWith({ ...WAITING, details: { expiresAt: '2026-06-10T18:04:05.000Z' } }),
      ['Provider expiry: in 4m 05s (18:04:05 UTC)'],
    ],
    [
      'a provider expiry passed',
      stateWith({ ...WAITING, details: { expiresAt: '2026-06-10T17:00:00.000Z' } }),
      ['Provider expiry: passed (17:00:00 UTC)'],
    ],
    ['a next poll overdue', stateWith(WAITING, { nextPollAt: NOW - 1_000 }), ['Next poll: passed (17:59:59 UTC) · Max wait ends: in 1h 59m (19:59:00 UTC)']],
    [
      'an outcome',
      stateWith({ ...WAITING, status: 'VALID_CHANNEL_OPENING', phase: 'succeeded', rank: 100 }, { outcome: 'succeeded' }),
      ['**Status:** VALID_CHANNEL_OPENING (succeeded)', '**Outcome:** succeeded'],
    ],
  ] as [string, TrackingState, string[]][])('%s', (_name, state, lines) => {
    const rendered = renderCurrentDetails(state, NOW).split(LINE_BREAK);
    // In this order, each whole, possibly with other lines between them.
    const positions = lines.map((line) => rendered.indexOf(line));
    expect(positions).not.toContain(-1);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it.each([
    ['no confirmations without the detail', stateWith({ ...WAITING, details: {} }), 'Confirmations'],
    ['no confirmations for null', stateWith({ ...WAITING, details: { confirmations: null } }), 'Confirmations'],
    ['no expiry for an unreadable date', stateWith({ ...WAITING, details: { expiresAt: 'soon' } }), 'Provider expiry'],
    ['no attention when all is well', stateWith(WAITING), 'Attention'],
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
