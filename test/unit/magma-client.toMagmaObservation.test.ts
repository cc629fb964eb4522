import { toMagmaObservation } from '../../providers/magma/magma-client';
import type { MagmaOrder } from '../../providers/magma/magma-schema';
import { renderCurrentDetails } from '../../workflows/current-details';
import { initialState } from '../../workflows/state';

const NOW = Date.parse('2026-06-10T18:00:00.000Z');

/** The seed's example answer. */
const SEED_ORDER: MagmaOrder = {
  id: 'ec562479-a4b8-44f4-95b4-150b310832de',
  status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION',
  payment_status: 'SUCCESSFUL_PAYMENT',
  channel_id: null,
  transaction_id: '5e8a3f...c4f1',
  timeout: '2026-06-10T18:42:00Z',
  blocks_until_can_be_closed: 4320,
  confirmations: { confirmations: 2 },
};

describe('toMagmaObservation', () => {
  it('normalises the seed example', () => {
    expect(toMagmaObservation(SEED_ORDER, NOW)).toEqual({
      status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION',
      phase: 'in_flight',
      recognised: true,
      rank: 5,
      nextWaitMs: 45_000,
      details: {
        payment_status: 'SUCCESSFUL_PAYMENT',
        transaction_id: '5e8a3f...c4f1',
        confirmations: 2,
        channel_id: null,
        timeout: '2026-06-10T18:42:00Z',
      },
    });
  });

  const cases: [name: string, order: MagmaOrder, expected: Partial<ReturnType<typeof toMagmaObservation>>][] = [
    [
      'bare order: every detail key present as null',
      { id: 'a', status: 'WAITING_FOR_SELLER_APPROVAL' },
      {
        phase: 'in_flight',
        nextWaitMs: 7_500,
        details: { payment_status: null, transaction_id: null, confirmations: null, channel_id: null, timeout: null },
      },
    ],
    [
      'confirmations object with null count',
      { id: 'a', status: 'SELLER_SENT_TRANSACTION', confirmations: { confirmations: null } },
      { details: { payment_status: null, transaction_id: null, confirmations: null, channel_id: null, timeout: null } },
    ],
    [
      'success with channel id',
      { id: 'a', status: 'VALID_CHANNEL_OPENING', channel_id: '800000x1x0', confirmations: { confirmations: 6 } },
      {
        phase: 'succeeded',
        recognised: true,
        details: { payment_status: null, transaction_id: null, confirmations: 6, channel_id: '800000x1x0', timeout: null },
      },
    ],
    [
      'payment-leg failure before the status reflects it',
      { id: 'a', status: 'WAITING_FOR_BUYER_PAYMENT', payment_status: 'HODL_INVOICE_TIMEOUT' },
      { phase: 'in_flight', details: expect.objectContaining({ payment_status: 'HODL_INVOICE_TIMEOUT' }) },
    ],
    ['failure status', { id: 'a', status: 'BUYER_FAILED_TO_PAY' }, { phase: 'failed', recognised: true }],
    ['unknown status', { id: 'a', status: 'NEW_STATE' }, { phase: 'in_flight', recognised: false, nextWaitMs: 10_000 }],
    [
      'phase expiry sooner than the cadence moves the next poll',
      { id: 'a', status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION', timeout: new Date(NOW + 5_000).toISOString() },
      { nextWaitMs: 6_000 },
    ],
  ];

  it.each(cases)('%s', (_name, order, expected) => {
    expect(toMagmaObservation(order, NOW)).toMatchObject(expected);
  });

  it('never carries blocks_until_can_be_closed, id or fees into details', () => {
    const details = toMagmaObservation(SEED_ORDER, NOW).details;
    expect(Object.keys(details).sort()).toEqual(['channel_id', 'confirmations', 'payment_status', 'timeout', 'transaction_id']);
  });

  it('bounds a huge provider string', () => {
    const observation = toMagmaObservation({ ...SEED_ORDER, transaction_id: 'x'.repeat(10_000) }, NOW);
    expect((observation.details['transaction_id'] as string).length).toBeLessThanOrEqual(256);
  });

  it("shows the phase's timeout as the provider expiry countdown in the order's details", () => {
    const state = initialState(NOW, 3_600_000);
    state.current = toMagmaObservation({ id: 'o1', status: 'WAITING_FOR_BUYER_PAYMENT', timeout: new Date(NOW + 245_000).toISOString() }, NOW);
    expect(renderCurrentDetails(state, NOW)).toContain('Provider expiry: in 4m 05s');
  });
});
