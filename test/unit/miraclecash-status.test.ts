/** The MiracleCash status table: every seed status, and what an unknown one becomes. */
import {
  MIRACLECASH_STATUSES,
  MIRACLECASH_STATUS_TABLE,
  classifyMiracleCashStatus,
} from '../../providers/miraclecash/miraclecash-status';

describe('classifyMiracleCashStatus', () => {
  it.each([
    // status,         phase,        recognised, rank, cadence
    ['pending', 'in_flight', true, 1, 'payment_age'],
    ['successful', 'succeeded', true, 100, 'final'],
    ['unsuccessful', 'failed', true, 100, 'final'],
    ['expired', 'failed', true, 100, 'final'],
    ['cancelled', 'failed', true, 100, 'final'],
    // Not in the seed: kept in flight, below pending, polled by age like pending.
    ['refunded', 'in_flight', false, 0, 'payment_age'],
    ['PENDING', 'in_flight', false, 0, 'payment_age'],
    ['constructor', 'in_flight', false, 0, 'payment_age'],
  ])('%s → %s, recognised %s, rank %d, cadence %s', (status, phase, recognised, rank, cadence) => {
    expect(classifyMiracleCashStatus(status)).toEqual({ phase, recognised, rank, cadence });
  });

  it('covers every seed status in its table, and nothing else', () => {
    expect(Object.keys(MIRACLECASH_STATUS_TABLE).sort()).toEqual([...MIRACLECASH_STATUSES].sort());
    expect(MIRACLECASH_STATUSES).toEqual(['pending', 'successful', 'unsuccessful', 'expired', 'cancelled']);
  });

  it('ranks every terminal status above every in-flight one', () => {
    const infos = MIRACLECASH_STATUSES.map(classifyMiracleCashStatus);
    const highestInFlight = Math.max(...infos.filter((info) => info.phase === 'in_flight').map((info) => info.rank));
    const lowestTerminal = Math.min(...infos.filter((info) => info.phase !== 'in_flight').map((info) => info.rank));
    expect(lowestTerminal).toBeGreaterThan(highestInFlight);
    expect(classifyMiracleCashStatus('anything-new').rank).toBeLessThan(highestInFlight);
  });
});
