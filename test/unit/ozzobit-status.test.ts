/** The OZZOBiT status table over every seed status, and webhook event names → status. */
import { OZZOBIT_STATUSES, OZZOBIT_STATUS_TABLE, classifyOzzobitStatus } from '../../providers/ozzobit/ozzobit-status';
import { ozzobitEventName } from '../../providers/ozzobit/ozzobit-protocol';
import { ozzobitEventStatus } from '../../providers/ozzobit/ozzobit-webhook';

describe('classifyOzzobitStatus', () => {
  it.each([
    // status,            phase,       recognised, rank, cadence
    ['PROCESSING', 'in_flight', true, 1, 5_000],
    ['PENDING_DELIVERY', 'in_flight', true, 2, 5_000],
    ['COMPLETED', 'succeeded', true, 100, 5_000],
    ['FAILED', 'failed', true, 100, 5_000],
    ['CANCELLED', 'failed', true, 100, 5_000],
    // Not in the seed: kept in flight, below every known status.
    ['AWAITING_PAYMENT_FROM_USER', 'in_flight', false, 0, 5_000],
    ['REFUNDED', 'in_flight', false, 0, 5_000],
    ['completed', 'in_flight', false, 0, 5_000],
    ['toString', 'in_flight', false, 0, 5_000],
  ])('%s → %s, recognised %s, rank %d, every %d ms', (status, phase, recognised, rank, cadenceMs) => {
    expect(classifyOzzobitStatus(status)).toEqual({ phase, recognised, rank, cadenceMs });
  });

  it('covers every seed status in its table, and nothing else', () => {
    expect(Object.keys(OZZOBIT_STATUS_TABLE)).toEqual([...OZZOBIT_STATUSES]);
    expect(OZZOBIT_STATUSES).toEqual(['PROCESSING', 'PENDING_DELIVERY', 'COMPLETED', 'FAILED', 'CANCELLED']);
  });

  it('ranks in lifecycle order, every terminal status above every in-flight one', () => {
    const ranks = OZZOBIT_STATUSES.map((status) => classifyOzzobitStatus(status).rank);
    expect(ranks[0]).toBeLessThan(ranks[1]!);
    expect(Math.min(...ranks.slice(2))).toBeGreaterThan(Math.max(...ranks.slice(0, 2)));
  });
});

describe('ozzobitEventStatus', () => {
  it.each([
    ['ORDER_PROCESSING', 'PROCESSING'],
    ['ORDER_PENDING_DELIVERY', 'PENDING_DELIVERY'],
    ['ORDER_COMPLETED', 'COMPLETED'],
    ['ORDER_FAILED', 'FAILED'],
    ['ORDER_CANCELLED', 'CANCELLED'],
    // Well-formed but not in the seed: passed on, the status table calls it unrecognised.
    ['ORDER_CREATED', 'CREATED'],
    ['ORDER_', undefined],
    ['order_completed', undefined],
    ['ORDER_COMPLETED ', undefined],
    ['KYC_APPROVED', undefined],
    ['', undefined],
  ])('%p → %p', (eventName, status) => {
    expect(ozzobitEventStatus(eventName)).toBe(status);
  });

  it.each([...OZZOBIT_STATUSES])('round-trips %s through its event name', (status) => {
    expect(ozzobitEventStatus(ozzobitEventName(status))).toBe(status);
  });
});
