import { graphqlErrorsSchema, magmaGetOrderSchema, magmaOrderSchema } from '../../providers/magma/magma-schema';

const SEED_ORDER = {
  id: 'ec562479-a4b8-44f4-95b4-150b310832de',
  status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION',
  payment_status: 'SUCCESSFUL_PAYMENT',
  channel_id: null,
  transaction_id: '5e8a3f...c4f1',
  timeout: '2026-06-10T18:42:00Z',
  blocks_until_can_be_closed: 4320,
  confirmations: { confirmations: 2 },
  fees: { buyer: { sats: '12500', usd: '5.62' } },
};
const wrap = (order: unknown) => ({ user: { market: { orders: { get_order: order } } } });

describe('magmaOrderSchema', () => {
  const accepted: [name: string, order: Record<string, unknown>][] = [
    ['the seed example (fees are extra)', SEED_ORDER],
    ['only id and status', { id: 'a', status: 'WAITING_FOR_SELLER_APPROVAL' }],
    ['an unknown extra field', { ...SEED_ORDER, new_field: { nested: [1, 2] } }],
    [
      'every optional field null',
      {
        id: 'a',
        status: 'X',
        payment_status: null,
        channel_id: null,
        transaction_id: null,
        timeout: null,
        blocks_until_can_be_closed: null,
        confirmations: null,
      },
    ],
    ['confirmations count null', { id: 'a', status: 'X', confirmations: { confirmations: null } }],
    ['an unknown status', { id: 'a', status: 'SOMETHING_MAGMA_ADDED' }],
  ];
  it.each(accepted)('accepts %s', (_name, order) => {
    expect(magmaOrderSchema.safeParse(order).success).toBe(true);
  });

  const rejected: [name: string, order: Record<string, unknown>, path: string][] = [
    ['status a number', { ...SEED_ORDER, status: 3 }, 'status'],
    ['status empty', { ...SEED_ORDER, status: '' }, 'status'],
    ['status missing', { id: 'a' }, 'status'],
    ['id missing', { status: 'X' }, 'id'],
    ['id a number', { ...SEED_ORDER, id: 7 }, 'id'],
    ['confirmations count a string', { ...SEED_ORDER, confirmations: { confirmations: '2' } }, 'confirmations.confirmations'],
    ['confirmations a number', { ...SEED_ORDER, confirmations: 2 }, 'confirmations'],
    ['timeout a number', { ...SEED_ORDER, timeout: 1_700_000_000 }, 'timeout'],
    ['payment_status an object', { ...SEED_ORDER, payment_status: { value: 'X' } }, 'payment_status'],
    ['blocks_until_can_be_closed a string', { ...SEED_ORDER, blocks_until_can_be_closed: '4320' }, 'blocks_until_can_be_closed'],
  ];
  it.each(rejected)('rejects %s at %s', (_name, order, path) => {
    const result = magmaOrderSchema.safeParse(order);
    expect(result.success).toBe(false);
    if (!result.success) expect(result.error.issues.map((issue) => issue.path.join('.'))).toContain(path);
  });

  it('strips fields it does not read', () => {
    const parsed = magmaOrderSchema.parse({ ...SEED_ORDER, new_field: 1 });
    expect(parsed).not.toHaveProperty('fees');
    expect(parsed).not.toHaveProperty('new_field');
  });
});

describe('magmaGetOrderSchema', () => {
  it.each([
    ['an order', wrap(SEED_ORDER), true],
    ['get_order null (unknown order)', wrap(null), true],
    ['get_order absent', { user: { market: { orders: {} } } }, true],
    ['extra siblings', { user: { id: 'u', market: { x: 1, orders: { get_order: SEED_ORDER, purchases: [] } } } }, true],
    ['user null', { user: null }, false],
    ['no user', {}, false],
    ['data undefined', undefined, false],
    ['orders an array', { user: { market: { orders: [] } } }, false],
    ['get_order with a bad status', wrap({ id: 'a', status: 1 }), false],
  ] as [string, unknown, boolean][])('%s → success %s', (_name, data, success) => {
    expect(magmaGetOrderSchema.safeParse(data).success).toBe(success);
  });
});

describe('graphqlErrorsSchema', () => {
  it.each([
    ['undefined', undefined, true],
    ['null', null, true],
    ['empty list', [], true],
    ['an error with a code and extras', [{ message: 'no', extensions: { code: 'UNAUTHENTICATED', x: 1 }, path: ['user'] }], true],
    ['an error without message or extensions', [{}], true],
    ['not a list', { message: 'no' }, false],
    ['code a number', [{ message: 'no', extensions: { code: 401 } }], false],
  ] as [string, unknown, boolean][])('%s → success %s', (_name, errors, success) => {
    expect(graphqlErrorsSchema.safeParse(errors).success).toBe(success);
  });
});
