/** OZZOBiT pushes (webhook bodies, socket.io updates) read into the observations a poll would give. */
import { normalizeOzzobitOrder } from '../../providers/ozzobit/ozzobit-normalize';
import { parseOzzobitUpdate, parseOzzobitWebhook } from '../../providers/ozzobit/ozzobit-events';
import { planSubscriptions } from '../../providers/ozzobit/ozzobit-bridge';

const NOW = Date.parse('2025-01-01T00:00:00Z');
const ORDER = { id: 'ozz-1', status: 'PENDING_DELIVERY', cryptoCurrency: 'USDT', cryptoAmount: '98.42', network: 'ethereum', walletAddress: '0xabc' };
const body = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('parseOzzobitWebhook', () => {
  it('normalises data with the provider module, exactly as a poll of the same order would', () => {
    const parsed = parseOzzobitWebhook(body({ eventName: 'ORDER_PENDING_DELIVERY', data: ORDER }), NOW);
    expect(parsed).toEqual({ ok: true, orderId: 'ozz-1', observation: normalizeOzzobitOrder(ORDER, NOW) });
    expect(parsed.ok && parsed.observation).toMatchObject({ status: 'PENDING_DELIVERY', phase: 'in_flight', rank: 2 });
  });

  it.each([
    ['ORDER_COMPLETED', 'COMPLETED', 'succeeded'],
    ['ORDER_FAILED', 'FAILED', 'failed'],
    ['ORDER_CANCELLED', 'CANCELLED', 'failed'],
    ['ORDER_PROCESSING', 'PROCESSING', 'in_flight'],
    // An ORDER_* event the seed does not list still carries the order: data.status decides.
    ['ORDER_PAYMENT_VERIFYING', 'PROCESSING', 'in_flight'],
    ['ORDER_CREATED', 'AWAITING_PAYMENT_FROM_USER', 'in_flight'],
  ])('%s with status %s → phase %s', (eventName, status, phase) => {
    const parsed = parseOzzobitWebhook(body({ eventName, data: { id: 'ozz-2', status } }), NOW);
    expect(parsed.ok && parsed.observation).toMatchObject({ status, phase });
  });

  it('keeps an unknown status in flight and below every known one', () => {
    const parsed = parseOzzobitWebhook(body({ eventName: 'ORDER_CREATED', data: { id: 'ozz-2', status: 'AWAITING_PAYMENT_FROM_USER' } }), NOW);
    expect(parsed.ok && parsed.observation).toMatchObject({ recognised: false, rank: 0 });
  });

  it.each([
    ['an empty body', '', /not JSON/],
    ['a body that is not JSON', '{"eventName":', /not JSON/],
    ['JSON that is not an object', '[1,2]', /not an OZZOBiT order event/],
    ['no event name', { data: ORDER }, /no eventName/],
    ['no data', { eventName: 'ORDER_COMPLETED' }, /data: Required/],
    ['an order without a status', { eventName: 'ORDER_COMPLETED', data: { id: 'ozz-1' } }, /data.status/],
    ['a status over 64 characters', { eventName: 'ORDER_FAILED', data: { id: 'ozz-1', status: 'F'.repeat(65) } }, /data.status/],
    ['an order id outside the contract', { eventName: 'ORDER_COMPLETED', data: { id: 'a b', status: 'COMPLETED' } }, /invalid order id/],
    ['an over-long order id', { eventName: 'ORDER_COMPLETED', data: { id: 'x'.repeat(129), status: 'COMPLETED' } }, /invalid order id/],
  ])('refuses %s', (_name, value, reason) => {
    const parsed = parseOzzobitWebhook(body(value), NOW);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(reason);
  });
});

describe('parseOzzobitWebhook, tolerant where the seed is silent', () => {
  it('allows envelope keys the seed does not read', () => {
    const parsed = parseOzzobitWebhook(body({ eventName: 'ORDER_COMPLETED', data: ORDER, webhookId: 'w-1', createdAt: '2025-01-01T00:00:00Z' }), NOW);
    expect(parsed).toMatchObject({ ok: true, orderId: 'ozz-1' });
  });

  it.each([
    ['another event', { eventName: 'KYC_APPROVED', data: ORDER }, 'KYC_APPROVED'],
    ['a lower-case event', { eventName: 'order_completed', data: ORDER }, 'order_completed'],
    ['a test ping without data', { eventName: 'WEBHOOK_TEST' }, 'WEBHOOK_TEST'],
  ])('answers %s as another event, acting on nothing', (_name, value, eventName) => {
    expect(parseOzzobitWebhook(body(value), NOW)).toEqual({ ok: false, reason: `not an order event: ${eventName}`, otherEvent: eventName });
  });

  it('reads the JWT claims of this family: eventID and webhookData', () => {
    const parsed = parseOzzobitWebhook(body({ eventID: 'ORDER_COMPLETED', webhookData: { ...ORDER, status: 'COMPLETED' } }), NOW);
    expect(parsed).toMatchObject({ ok: true, orderId: 'ozz-1', observation: { status: 'COMPLETED', phase: 'succeeded' } });
  });

  it('names the order by orderId when there is no id, and refuses an order event naming no order', () => {
    expect(parseOzzobitWebhook(body({ eventName: 'ORDER_FAILED', data: { orderId: 'ozz-3', status: 'FAILED' } }), NOW)).toMatchObject({ ok: true, orderId: 'ozz-3' });
    expect(parseOzzobitWebhook(body({ eventName: 'ORDER_FAILED', data: { status: 'FAILED' } }), NOW)).toEqual({ ok: false, reason: 'the order has no id (id or orderId)' });
  });

  it('shows a display field of another type as null instead of refusing the push', () => {
    const parsed = parseOzzobitWebhook(body({ eventName: 'ORDER_PROCESSING', data: { ...ORDER, status: 'PROCESSING', cryptoAmount: { value: 1 }, network: 7 } }), NOW);
    expect(parsed).toMatchObject({ ok: true, observation: { status: 'PROCESSING', details: { cryptoAmount: null, network: null, cryptoCurrency: 'USDT' } } });
  });
});

describe('parseOzzobitUpdate', () => {
  it('reads an update naming its order orderId (id ?? orderId)', () => {
    expect(parseOzzobitUpdate({ orderId: 'ozz-9', status: 'COMPLETED' }, NOW)).toMatchObject({ ok: true, orderId: 'ozz-9' });
  });

  it('reads the order the socket sends, minimal on its fields', () => {
    expect(parseOzzobitUpdate({ ...ORDER, somethingNew: { nested: true } }, NOW)).toEqual({
      ok: true,
      orderId: 'ozz-1',
      observation: normalizeOzzobitOrder(ORDER, NOW),
    });
  });

  it.each([
    ['nothing', undefined],
    ['a string', 'COMPLETED'],
    ['no id', { status: 'COMPLETED' }],
    ['a numeric status', { id: 'ozz-1', status: 3 }],
    ['a bad order id', { id: '../etc', status: 'COMPLETED' }],
  ])('refuses %s', (_name, payload) => {
    expect(parseOzzobitUpdate(payload, NOW).ok).toBe(false);
  });
});

describe('planSubscriptions', () => {
  it.each([
    [[], ['a', 'b'], ['a', 'b'], []],
    [['a', 'b'], ['b', 'c'], ['c'], ['a']],
    [['a'], ['a'], [], []],
    [['a'], [], [], ['a']],
  ])('%j → %j subscribes %j, unsubscribes %j', (subscribed, tracked, subscribe, unsubscribe) => {
    expect(planSubscriptions(new Set(subscribed), new Set(tracked))).toEqual({ subscribe, unsubscribe });
  });
});
