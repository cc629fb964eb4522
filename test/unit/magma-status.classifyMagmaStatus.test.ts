import {
  MAGMA_FAILURE_STATUSES,
  MAGMA_IN_FLIGHT_STATUSES,
  MAGMA_SUCCESS_STATUSES,
  classifyMagmaStatus,
} from '../../providers/magma/magma-status';

/** Copied from the Magma seed page ("Terminal-state detection"), not from the module under test. */
const SEED_SUCCESS = ['VALID_CHANNEL_OPENING', 'CHANNEL_MONITORING_FINISHED'];
const SEED_FAILURE = [
  'SELLER_REJECTED',
  'SELLER_FAILED_TO_REACT',
  'BUYER_REJECTED',
  'BUYER_FAILED_TO_PAY',
  'SELLER_FAILED_TO_OPEN_CHANNEL',
  'SELLER_FAILED_TO_SEND_SWAP',
  'INVALID_CHANNEL_OPENING',
  'ADMIN_CLOSED',
];
/** The seed's cadence table, in lifecycle order, with the reference loop's intervals. */
const SEED_IN_FLIGHT: [status: string, cadenceMs: number][] = [
  ['WAITING_FOR_SELLER_APPROVAL', 7_500],
  ['WAITING_FOR_BUYER_PAYMENT', 7_500],
  ['WAITING_FOR_CHANNEL_OPEN', 7_500],
  ['SELLER_SENT_TRANSACTION', 45_000],
  ['WAITING_FOR_ON_CHAIN_CONFIRMATION', 45_000],
  ['ON_CHAIN_CONFIRMATION', 45_000],
  ['SELLER_OPENED_CHANNEL', 45_000],
];
const UNKNOWN = ['CHANNEL_RENEWAL_REQUESTED', 'waiting_for_seller_approval', 'VALID_CHANNEL_OPENING ', 'SOMETHING_NEW'];

describe('classifyMagmaStatus', () => {
  it('has exactly the seed terminal sets and in-flight list', () => {
    expect([...MAGMA_SUCCESS_STATUSES].sort()).toEqual([...SEED_SUCCESS].sort());
    expect([...MAGMA_FAILURE_STATUSES].sort()).toEqual([...SEED_FAILURE].sort());
    expect([...MAGMA_IN_FLIGHT_STATUSES]).toEqual(SEED_IN_FLIGHT.map(([status]) => status));
  });

  it.each(SEED_SUCCESS)('%s succeeded, recognised, 10 s cadence', (status) => {
    expect(classifyMagmaStatus(status)).toMatchObject({ phase: 'succeeded', recognised: true, cadenceMs: 10_000 });
  });

  it.each(SEED_FAILURE)('%s failed, recognised, 10 s cadence', (status) => {
    expect(classifyMagmaStatus(status)).toMatchObject({ phase: 'failed', recognised: true, cadenceMs: 10_000 });
  });

  it.each(SEED_IN_FLIGHT.map(([status, cadenceMs], index) => [status, cadenceMs, index + 1] as const))(
    '%s in flight every %i ms with rank %i',
    (status, cadenceMs, rank) => {
      expect(classifyMagmaStatus(status)).toEqual({ phase: 'in_flight', recognised: true, rank, cadenceMs });
    },
  );

  it.each(UNKNOWN)('unknown status %j stays in flight, unrecognised, 10 s cadence, below every known rank', (status) => {
    const info = classifyMagmaStatus(status);
    expect(info).toMatchObject({ phase: 'in_flight', recognised: false, cadenceMs: 10_000 });
    const lowestKnown = Math.min(...SEED_IN_FLIGHT.map(([known]) => classifyMagmaStatus(known).rank));
    expect(info.rank).toBeLessThan(lowestKnown);
  });

  it('ranks in-flight statuses strictly increasing along the lifecycle', () => {
    const ranks = SEED_IN_FLIGHT.map(([status]) => classifyMagmaStatus(status).rank);
    for (let index = 1; index < ranks.length; index += 1) {
      expect(ranks[index]).toBeGreaterThan(ranks[index - 1] as number);
    }
  });

  it('ranks every terminal status above every in-flight status, known or not', () => {
    const inFlightRanks = [...SEED_IN_FLIGHT.map(([status]) => status), ...UNKNOWN].map((status) => classifyMagmaStatus(status).rank);
    const highestInFlight = Math.max(...inFlightRanks);
    for (const status of [...SEED_SUCCESS, ...SEED_FAILURE]) {
      expect(classifyMagmaStatus(status).rank).toBeGreaterThan(highestInFlight);
    }
  });
});
