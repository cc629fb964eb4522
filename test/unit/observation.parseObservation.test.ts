import { isTerminal, parseObservation } from '../../workflows/observation';
import type { Observation } from '../../domain/types';

const WEEK_MS = 7 * 24 * 60 * 60_000;
const VALID: Observation = {
  status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION',
  phase: 'in_flight',
  recognised: true,
  rank: 5,
  nextWaitMs: 45_000,
  details: { confirmations: 2, channel_id: null, payment_status: 'SUCCESSFUL_PAYMENT', paid: true },
};

function manyKeys(count: number): Record<string, number> {
  return Object.fromEntries(Array.from({ length: count }, (_, index) => [`k${index}`, index]));
}

describe('parseObservation', () => {
  it.each([
    ['a full observation', VALID, VALID],
    ['recognised omitted defaults to true', { ...VALID, recognised: undefined }, VALID],
    ['recognised false', { ...VALID, recognised: false }, { ...VALID, recognised: false }],
    ['details omitted → {}', { ...VALID, details: undefined }, { ...VALID, details: {} }],
    ['a terminal phase', { ...VALID, phase: 'succeeded', rank: 100 }, { ...VALID, phase: 'succeeded', rank: 100 }],
    ['the phase unknown (over, no verdict)', { ...VALID, phase: 'unknown', rank: 100 }, { ...VALID, phase: 'unknown', rank: 100 }],
    ['an attention', { ...VALID, attention: 'unrecognised status EXPIRED' }, { ...VALID, attention: 'unrecognised status EXPIRED' }],
    ['attention null → left out', { ...VALID, attention: null }, VALID],
    ['nextWaitMs 0', { ...VALID, nextWaitMs: 0 }, { ...VALID, nextWaitMs: 0 }],
    ['nextWaitMs a week', { ...VALID, nextWaitMs: WEEK_MS }, { ...VALID, nextWaitMs: WEEK_MS }],
    ['status of 128 characters', { ...VALID, status: 'S'.repeat(128) }, { ...VALID, status: 'S'.repeat(128) }],
    ['negative rank', { ...VALID, rank: -1 }, { ...VALID, rank: -1 }],
    ['24 detail keys', { ...VALID, details: manyKeys(24) }, { ...VALID, details: manyKeys(24) }],
    ['a 64-character key', { ...VALID, details: { ['k'.repeat(64)]: 1 } }, { ...VALID, details: { ['k'.repeat(64)]: 1 } }],
    ['a 512-character text', { ...VALID, details: { a: 't'.repeat(512) } }, { ...VALID, details: { a: 't'.repeat(512) } }],
  ] as [string, unknown, Observation][])('accepts %s', (_name, value, expected) => {
    expect(parseObservation(value)).toEqual({ ok: true, observation: expected, receivedAt: null });
  });

  it('reads the arrival time a push carries, apart from the observation', () => {
    const receivedAt = Date.parse('2026-11-22T08:00:00Z');
    expect(parseObservation({ ...VALID, receivedAt })).toEqual({ ok: true, observation: VALID, receivedAt });
  });

  it('drops fields it does not know', () => {
    const result = parseObservation({ ...VALID, extra: 'x' });
    expect(result.ok && result.observation).toEqual(VALID);
  });

  it.each([
    ['null', null, 'observation must be an object'],
    ['an array', [VALID], 'observation must be an object'],
    ['a string', 'VALID_CHANNEL_OPENING', 'observation must be an object'],
    ['status missing', { ...VALID, status: undefined }, 'status'],
    ['status empty', { ...VALID, status: '' }, 'status'],
    ['status a number', { ...VALID, status: 3 }, 'status'],
    ['status of 129 characters', { ...VALID, status: 'S'.repeat(129) }, 'status'],
    ['phase unknown', { ...VALID, phase: 'done' }, 'phase'],
    ['phase missing', { ...VALID, phase: undefined }, 'phase'],
    ['recognised a string', { ...VALID, recognised: 'yes' }, 'recognised'],
    ['attention a number', { ...VALID, attention: 5 }, 'attention'],
    ['attention over 256 characters', { ...VALID, attention: 'a'.repeat(257) }, 'attention'],
    ['rank missing', { ...VALID, rank: undefined }, 'rank'],
    ['rank a string', { ...VALID, rank: '5' }, 'rank'],
    ['rank NaN', { ...VALID, rank: Number.NaN }, 'rank'],
    ['rank Infinity', { ...VALID, rank: Number.POSITIVE_INFINITY }, 'rank'],
    ['nextWaitMs negative', { ...VALID, nextWaitMs: -1 }, 'nextWaitMs'],
    ['nextWaitMs over a week', { ...VALID, nextWaitMs: WEEK_MS + 1 }, 'nextWaitMs'],
    ['nextWaitMs NaN', { ...VALID, nextWaitMs: Number.NaN }, 'nextWaitMs'],
    ['nextWaitMs a string', { ...VALID, nextWaitMs: '45000' }, 'nextWaitMs'],
    ['receivedAt a string', { ...VALID, receivedAt: '2026-11-22T08:00:00Z' }, 'receivedAt'],
    ['receivedAt negative', { ...VALID, receivedAt: -5 }, 'receivedAt'],
    ['receivedAt NaN', { ...VALID, receivedAt: Number.NaN }, 'receivedAt'],
    ['details an array', { ...VALID, details: [1] }, 'details must be an object'],
    ['details null', { ...VALID, details: null }, 'details must be an object'],
    ['details a string', { ...VALID, details: 'x' }, 'details must be an object'],
    ['25 detail keys', { ...VALID, details: manyKeys(25) }, 'details has more than 24 keys'],
    ['a 65-character key', { ...VALID, details: { ['k'.repeat(65)]: 1 } }, 'details key longer than 64'],
    ['a 513-character text', { ...VALID, details: { note: 't'.repeat(513) } }, 'details.note'],
    ['a nested object', { ...VALID, details: { fees: { sats: 1 } } }, 'details.fees'],
    ['an array value', { ...VALID, details: { list: [1] } }, 'details.list'],
    ['a NaN value', { ...VALID, details: { count: Number.NaN } }, 'details.count'],
    ['an undefined value', { ...VALID, details: { gone: undefined } }, 'details.gone'],
  ] as [string, unknown, string][])('rejects %s, naming it', (_name, value, named) => {
    const result = parseObservation(value);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(named);
  });

  it('never throws, whatever it is given', () => {
    const odd: unknown[] = [undefined, 0, true, Symbol('x'), () => 1, new Date(), Object.create(null), { details: { toString: 1 } }];
    for (const value of odd) expect(() => parseObservation(value)).not.toThrow();
  });
});

describe('isTerminal', () => {
  it.each([
    ['in_flight', false],
    ['succeeded', true],
    ['failed', true],
  ] as const)('%s → %s', (phase, terminal) => {
    expect(isTerminal({ phase })).toBe(terminal);
  });
});
