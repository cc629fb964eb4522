/** The OZZOBiT simulator's REST side over real HTTP, asked the way seed 002's poll-order.js asks. */
import { startOzzobitSandbox } from '../../sandbox/ozzobit';
import type { OzzobitSandbox } from '../../sandbox/ozzobit';

const SECRET_KEY = 'YOUR_SECRET_API_KEY';
const API_KEY = 'YOUR_API_KEY';
const TIME_SCALE = 1000;

let sandbox: OzzobitSandbox;
let origin: string;

beforeAll(async () => {
  sandbox = await startOzzobitSandbox({ secretKey: SECRET_KEY, apiKey: API_KEY, timeScale: TIME_SCALE });
  origin = new URL(sandbox.url).origin;
});
afterAll(() => sandbox.close());
afterEach(() => sandbox.clearFaults());

/** The seed's own fetch, with only the host changed: note the doubled /api/api/v2. */
async function seedFetch(orderId: string, authorization: string | null = `Bearer ${SECRET_KEY}`) {
  const response = await fetch(`${origin}/api/api/v2/orders/${orderId}`, {
    headers: authorization === null ? {} : { Authorization: authorization },
  });
  return { status: response.status, data: (await response.json()) as Record<string, unknown> };
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

it('serves the seed’s doubled /api/api/v2 path, and `url` is the base before /api/v2/orders', async () => {
  expect(sandbox.url).toBe(`${origin}/api`);
  expect(sandbox.wsUrl).toBe(`${origin.replace('http:', 'ws:')}/ws`);
  sandbox.addOrder({ id: 'order-id-123', steps: [{ status: 'PROCESSING' }] });
  const viaBase = await fetch(`${sandbox.url}/api/v2/orders/order-id-123`, { headers: { Authorization: `Bearer ${SECRET_KEY}` } });
  expect(viaBase.status).toBe(200);
  const { status, data } = await seedFetch('order-id-123');
  expect(status).toBe(200);
  expect(data.status).toBe('PROCESSING');
});

it('answers the order object at the body’s root, with on-ramp fields', async () => {
  const before = Date.now();
  sandbox.addOrder({ id: 'shape', steps: [{ status: 'PROCESSING' }] });
  const { data } = await seedFetch('shape');
  expect(data).toEqual({
    id: 'shape',
    status: 'PROCESSING',
    isBuyOrSell: 'BUY',
    fiatCurrency: 'EUR',
    fiatAmount: 100,
    cryptoCurrency: 'USDT',
    cryptoAmount: 98.42,
    network: 'ethereum',
    walletAddress: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/),
    transactionHash: null,
    createdAt: expect.any(String),
    updatedAt: expect.any(String),
  });
  expect(Date.parse(String(data.createdAt))).toBeGreaterThanOrEqual(before);
});

it('advances by request count and by scaled time; updatedAt is when the status changed', async () => {
  sandbox.addOrder({
    id: 'lifecycle',
    steps: [
      { status: 'PROCESSING', requests: 2 },
      // 2 s at this scale: the step starts with the second request, and a loaded machine once took
      // over the 300 ms this had between the second and the third (the third then read COMPLETED).
      { status: 'PENDING_DELIVERY', durationMs: 2_000_000, fields: { transactionHash: '0xabc' } },
      { status: 'COMPLETED' },
    ],
  });
  const first = (await seedFetch('lifecycle')).data;
  const second = (await seedFetch('lifecycle')).data;
  const third = (await seedFetch('lifecycle')).data;
  expect([first.status, second.status, third.status]).toEqual(['PROCESSING', 'PROCESSING', 'PENDING_DELIVERY']);
  expect(second.updatedAt).toBe(first.updatedAt);
  expect(third).toMatchObject({ transactionHash: '0xabc' });
  expect(Date.parse(String(third.updatedAt))).toBeGreaterThan(Date.parse(String(first.createdAt)) - 1);
  await sleep(2_100);
  const fourth = (await seedFetch('lifecycle')).data;
  expect(fourth).toMatchObject({ status: 'COMPLETED', transactionHash: '0xabc' });
});

it('keeps the script’s id and step status whatever `fields` says', async () => {
  sandbox.addOrder({ id: 'stubborn', steps: [{ status: 'PROCESSING', fields: { id: 'other', status: 'COMPLETED', fiatAmount: 250 } }] });
  const { data } = await seedFetch('stubborn');
  expect(data).toMatchObject({ id: 'stubborn', status: 'PROCESSING', fiatAmount: 250 });
  expect(Object.keys(data).slice(0, 2)).toEqual(['id', 'status']);
});

it('answers an unknown order with 404 and an error object', async () => {
  expect(await seedFetch('missing')).toEqual({
    status: 404,
    data: { error: { statusCode: 404, name: 'NotFoundError', message: 'Order not found' } },
  });
});

describe('credentials', () => {
  beforeAll(() => sandbox.addOrder({ id: 'auth', steps: [{ status: 'PROCESSING' }] }));

  it.each([
    ['no Authorization header', null],
    ['the socket apiKey instead of the secret key', `Bearer ${API_KEY}`],
    ['the key without "Bearer"', SECRET_KEY],
    ['a lower-case scheme', `bearer ${SECRET_KEY}`],
  ])('answers 401 to %s', async (_name, authorization) => {
    expect(await seedFetch('auth', authorization)).toEqual({
      status: 401,
      data: { error: { statusCode: 401, name: 'UnauthorizedError', message: 'Invalid or missing secret API key' } },
    });
  });
});

describe('control API', () => {
  const control = (path: string, init?: { method: string; body?: unknown }) =>
    fetch(`${sandbox.controlUrl}${path}`, {
      method: init?.method ?? 'GET',
      ...(init?.body !== undefined && { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(init.body) }),
    });

  it('adds orders, sets and clears HTTP faults, and reads the request log', async () => {
    expect((await control('orders', { method: 'POST', body: { id: 'remote', steps: [{ status: 'PROCESSING', requests: 1 }, { status: 'FAILED' }] } })).status).toBe(201);
    expect((await control('faults', { method: 'POST', body: { fault: { kind: 'server_error' }, orderId: 'remote' } })).status).toBe(204);
    expect((await seedFetch('remote')).status).toBe(500);
    expect((await control('faults?orderId=remote', { method: 'DELETE' })).status).toBe(204);
    expect((await seedFetch('remote')).data.status).toBe('PROCESSING');
    expect((await seedFetch('remote')).data.status).toBe('FAILED');
    const { requests } = (await (await control('requests?orderId=remote')).json()) as { requests: { httpStatus: number }[] };
    expect(requests.map((entry) => entry.httpStatus)).toEqual([500, 200, 200]);
  });

  it('sets and clears push faults, and reads the push log', async () => {
    expect((await control('push-faults', { method: 'POST', body: { fault: { kind: 'duplicate_push', count: 1 }, orderId: 'pushed' } })).status).toBe(204);
    expect((await control('orders', { method: 'POST', body: { id: 'pushed', steps: [{ status: 'PROCESSING' }] } })).status).toBe(201);
    const { pushes } = (await (await control('pushes?orderId=pushed')).json()) as { pushes: { status: string; replay?: string }[] };
    // No webhook URL configured: socket updates only, the first one twice.
    expect(pushes.map((push) => [push.status, push.replay])).toEqual([['PROCESSING', undefined], ['PROCESSING', 'duplicate']]);
    expect((await control('push-faults', { method: 'DELETE' })).status).toBe(204);
  });

  it.each([
    ['an HTTP fault on the push route', 'push-faults', { fault: { kind: 'server_error' } }],
    ['a push fault on the HTTP route', 'faults', { fault: { kind: 'drop_socket' } }],
    ['an unknown push fault', 'push-faults', { fault: { kind: 'meteor' } }],
  ])('rejects %s with 400', async (_name, path, body) => {
    expect((await control(path, { method: 'POST', body })).status).toBe(400);
  });
});
