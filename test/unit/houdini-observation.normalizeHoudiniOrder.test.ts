import { normalizeHoudiniOrder } from '../../providers/houdini/houdini-observation';
import { houdiniOrderSchema, houdiniOrderUpdateSchema } from '../../providers/houdini/houdini-schema';
import { parseObservation } from '../../workflows/observation';

const NOW = Date.parse('2026-06-10T18:00:00.000Z');

/** An order as our simulator (and our reading of the seed) shows it, with fields we do not read. */
const ORDER = {
  houdiniId: 'h7Kq2mZ9',
  status: 0,
  created: '2026-06-10T17:50:00.000Z',
  expires: '2026-06-10T18:20:00.000Z',
  anonymous: true,
  depositAddress: 'bc1qdeposit',
  depositTag: null,
  receiverAddress: '0xreceiver',
  receiverTag: null,
  inAmount: 0.05,
  inSymbol: 'BTC',
  outAmount: 1.2154,
  outSymbol: 'ETH',
  eta: 30,
  inTxHash: null,
  outTxHash: null,
  route: null,
  somethingNew: { nested: true },
};

function normalize(overrides: Record<string, unknown> = {}) {
  return normalizeHoudiniOrder(houdiniOrderSchema.parse({ ...ORDER, ...overrides }), NOW, true);
}

describe('normalizeHoudiniOrder', () => {
  it('names the status by its label and keeps the code, amounts and expiry in details', () => {
    expect(normalize()).toEqual({
      status: 'WAITING',
      phase: 'in_flight',
      recognised: true,
      rank: 3,
      nextWaitMs: 30_000,
      details: {
        statusCode: 0,
        expiresAt: '2026-06-10T18:20:00.000Z',
        inAmount: 0.05,
        inSymbol: 'BTC',
        outAmount: 1.2154,
        outSymbol: 'ETH',
        depositAddress: 'bc1qdeposit',
        anonymous: true,
        etaMinutes: 30,
        outTxHash: null,
      },
    });
  });

  it('keeps the receiving address out of the observation', () => {
    expect(JSON.stringify(normalize())).not.toContain('0xreceiver');
  });

  it('places the next poll at the expiry when it is near', () => {
    expect(normalize({ expires: '2026-06-10T18:00:08.000Z' }).nextWaitMs).toBe(9_000);
  });

  it('writes the expiry as ISO in UTC whatever offset Houdini used', () => {
    expect(normalize({ expires: '2026-06-10T20:20:00+02:00' }).details.expiresAt).toBe('2026-06-10T18:20:00.000Z');
  });

  it('leaves the expiry out once the deposit arrived, keeps it on EXPIRED', () => {
    expect(normalize({ status: 2 }).details.expiresAt).toBeNull();
    expect(normalize({ status: 5 }).details.expiresAt).toBe('2026-06-10T18:20:00.000Z');
  });

  it.each([
    [4, 'FINISHED', 'succeeded'],
    [5, 'EXPIRED', 'failed'],
    [6, 'FAILED', 'failed'],
    [7, 'REFUNDED', 'failed'],
    [8, 'DELETED', 'unknown'],
  ])('code %i → %s (%s)', (status, label, phase) => {
    expect(normalize({ status, outTxHash: '0xabc' })).toMatchObject({ status: label, phase, recognised: true, rank: 100 });
  });

  it('keeps an unknown code in flight as UNKNOWN_<code>, asking for attention', () => {
    expect(normalize({ status: 11 })).toMatchObject({
      status: 'UNKNOWN_11',
      phase: 'in_flight',
      recognised: false,
      details: { statusCode: 11 },
      attention: 'unrecognised status UNKNOWN_11',
    });
  });

  it('reads DELETED (older than 48 hours) as terminal without a verdict, saying so', () => {
    expect(normalize({ status: 8 })).toMatchObject({ status: 'DELETED', phase: 'unknown', attention: 'deleted by provider, outcome unknown' });
    expect(normalize({ status: 4 }).attention).toBeUndefined();
  });

  it('tolerates missing optional fields and string amounts', () => {
    const observation = normalizeHoudiniOrder(houdiniOrderSchema.parse({ houdiniId: 'x', status: 1, inAmount: '0.05' }), NOW, true);
    expect(observation).toMatchObject({ status: 'CONFIRMING', nextWaitMs: 20_000, details: { statusCode: 1, inAmount: '0.05', expiresAt: null } });
  });

  it('gives an observation the workflow accepts as a pushed signal', () => {
    const parsed = parseObservation(normalize());
    expect(parsed.ok).toBe(true);
  });

  it('reads a pushed order_update with the same schema, to the same observation as a poll', () => {
    const pushed = houdiniOrderUpdateSchema.parse({ type: 'order_update', data: ORDER });
    expect(normalizeHoudiniOrder(pushed.data, NOW, true)).toEqual(normalize());
  });
});

describe('houdiniOrderSchema', () => {
  it('reads display-only fields of another type as null instead of refusing the order', () => {
    const result = houdiniOrderSchema.parse({ ...ORDER, expires: 1781116920, eta: '15', anonymous: 'no', inAmount: { value: 1 }, created: undefined });
    expect(result).toMatchObject({ houdiniId: ORDER.houdiniId, status: ORDER.status, expires: null, eta: null, anonymous: null, inAmount: null });
    expect(normalizeHoudiniOrder(result, NOW, true)).toMatchObject({ details: { etaMinutes: null, anonymous: null, inAmount: null } });
  });

  it.each([
    ['a missing status', { status: undefined }, 'status'],
    ['a status label instead of the code', { status: 'WAITING' }, 'status'],
    ['a fractional status', { status: 1.5 }, 'status'],
    ['an empty houdiniId', { houdiniId: '' }, 'houdiniId'],
  ])('rejects %s', (_name, overrides, path) => {
    const result = houdiniOrderSchema.safeParse({ ...ORDER, ...overrides });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain(path);
  });
});
