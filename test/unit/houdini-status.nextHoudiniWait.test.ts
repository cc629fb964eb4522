import { nextHoudiniWait } from '../../providers/houdini/houdini-status';

const NOW = Date.parse('2026-06-10T18:00:00.000Z');
const at = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();
const SECOND = 1_000;
const MINUTE = 60_000;

describe('nextHoudiniWait with pushes: the safety net, at the stage\'s cadence', () => {
  it.each<[code: number, expires: string | null | undefined, expected: number, why: string]>([
    // code, expires, expected wait, why
    [0, at(25 * MINUTE), 30 * SECOND, 'waiting, expiry far off: the deposit cadence'],
    [-2, at(25 * MINUTE), 30 * SECOND, 'initializing is a deposit-stage code too'],
    [-1, at(25 * MINUTE), 30 * SECOND, 'new is a deposit-stage code too'],
    [0, at(12 * SECOND), 13 * SECOND, 'expiry before the cadence: one second after it'],
    [-1, at(2 * SECOND), 3 * SECOND, 'an expiry in 2 s: 3 s (the workflow applies its 5 s floor)'],
    [0, at(29 * SECOND), 30 * SECOND, 'expiry + 1 s equals the cadence'],
    [0, at(0), 10 * SECOND, 'expiry right now: overdue, look again soon'],
    [0, at(-5 * MINUTE), 10 * SECOND, 'still waiting past the expiry: EXPIRED is imminent'],
    [0, null, 30 * SECOND, 'no expiry in the answer'],
    [0, undefined, 30 * SECOND, 'expiry field missing'],
    [0, 'soon', 30 * SECOND, 'an unreadable expiry is ignored'],
    [1, at(12 * SECOND), 20 * SECOND, 'confirming ignores the deposit expiry'],
    [2, at(12 * SECOND), 30 * SECOND, 'exchanging ignores the deposit expiry'],
    [3, at(-5 * MINUTE), 30 * SECOND, 'anonymizing ignores the deposit expiry'],
    [9, at(12 * SECOND), 30 * SECOND, 'an unknown code: the default cadence, expiry not trusted'],
  ])('code %i, expires %p → %i ms (%s)', (code, expires, expected) => {
    expect(nextHoudiniWait(code, expires, NOW, true)).toBe(expected);
  });
});

describe('nextHoudiniWait without pushes: polls are the only way to see a change, at the 5 s floor', () => {
  it.each<[code: number, expires: string | null | undefined, expected: number, why: string]>([
    [0, at(25 * MINUTE), 5 * SECOND, 'waiting, expiry far off'],
    [-2, at(25 * MINUTE), 5 * SECOND, 'initializing'],
    [0, at(3 * SECOND), 4 * SECOND, 'expiry before the floor: one second after it (the workflow applies its 5 s floor)'],
    [0, at(-5 * MINUTE), 5 * SECOND, 'still waiting past the expiry'],
    [0, null, 5 * SECOND, 'no expiry in the answer'],
    [1, at(12 * SECOND), 5 * SECOND, 'confirming'],
    [2, null, 5 * SECOND, 'exchanging'],
    [3, null, 5 * SECOND, 'anonymizing'],
    [9, null, 5 * SECOND, 'an unknown code'],
  ])('code %i, expires %p → %i ms (%s)', (code, expires, expected) => {
    expect(nextHoudiniWait(code, expires, NOW, false)).toBe(expected);
  });
});
