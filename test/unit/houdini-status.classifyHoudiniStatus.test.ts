import { HOUDINI_STATUSES, classifyHoudiniStatus } from '../../providers/houdini/houdini-status';

/**
 * The seed's "Order Status Codes" table (seed 003), copied from the seed, not from the module, with
 * our verdict, stage and cadence for each code. Rows are in lifecycle order.
 */
const SEED_TABLE: [code: number, label: string, phase: string, stage: string, cadenceMs: number | null][] = [
  [-2, 'INITIALIZING', 'in_flight', 'deposit', 30_000],
  [-1, 'NEW', 'in_flight', 'deposit', 30_000],
  [0, 'WAITING', 'in_flight', 'deposit', 30_000],
  [1, 'CONFIRMING', 'in_flight', 'confirming', 20_000],
  [2, 'EXCHANGING', 'in_flight', 'exchanging', 30_000],
  [3, 'ANONYMIZING', 'in_flight', 'exchanging', 30_000],
  [4, 'FINISHED', 'succeeded', 'final', null],
  [5, 'EXPIRED', 'failed', 'final', null],
  [6, 'FAILED', 'failed', 'final', null],
  [7, 'REFUNDED', 'failed', 'final', null],
  [8, 'DELETED', 'unknown', 'final', null],
];
const UNKNOWN_CODES = [-3, 9, 10, 42, -100];

describe('classifyHoudiniStatus', () => {
  it('knows exactly the codes of the seed table, in lifecycle order', () => {
    expect(HOUDINI_STATUSES.map((info) => [info.code, info.label])).toEqual(SEED_TABLE.map(([code, label]) => [code, label]));
  });

  it.each(SEED_TABLE)('%i is %s: %s, stage %s, cadence %p', (code, label, phase, stage, cadenceMs) => {
    const info = classifyHoudiniStatus(code);
    expect(info).toMatchObject({ code, label, phase, stage, recognised: true });
    if (cadenceMs !== null) expect(info.cadenceMs).toBe(cadenceMs);
  });

  it('shows the deposit expiry while waiting for the deposit and on EXPIRED only', () => {
    const showing = SEED_TABLE.filter(([code]) => classifyHoudiniStatus(code).showsExpiry).map(([, label]) => label);
    expect(showing).toEqual(['INITIALIZING', 'NEW', 'WAITING', 'EXPIRED']);
  });

  it.each(UNKNOWN_CODES)('unknown code %i stays in flight as UNKNOWN_<code>, unrecognised, below every known rank', (code) => {
    const info = classifyHoudiniStatus(code);
    expect(info).toMatchObject({ code, label: `UNKNOWN_${code}`, phase: 'in_flight', recognised: false, cadenceMs: 30_000, showsExpiry: false });
    const lowestKnown = Math.min(...SEED_TABLE.map(([known]) => classifyHoudiniStatus(known).rank));
    expect(info.rank).toBeLessThan(lowestKnown);
  });

  it('ranks in-flight codes strictly increasing along the lifecycle', () => {
    const ranks = SEED_TABLE.filter(([, , phase]) => phase === 'in_flight').map(([code]) => classifyHoudiniStatus(code).rank);
    expect(ranks).toHaveLength(6);
    for (let index = 1; index < ranks.length; index += 1) expect(ranks[index]).toBeGreaterThan(ranks[index - 1] as number);
  });

  it('ranks every terminal code above every in-flight code, known or not', () => {
    const inFlight = [...SEED_TABLE.filter(([, , phase]) => phase === 'in_flight').map(([code]) => code), ...UNKNOWN_CODES];
    const highestInFlight = Math.max(...inFlight.map((code) => classifyHoudiniStatus(code).rank));
    for (const [code, , phase] of SEED_TABLE) {
      if (phase !== 'in_flight') expect(classifyHoudiniStatus(code).rank).toBeGreaterThan(highestInFlight);
    }
  });
});
