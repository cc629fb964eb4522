/** The Houdini simulator's REST API and control API over real HTTP, asked with plain fetch. */
import { fetch } from 'undici';
import { startHoudiniSandbox } from '../../sandbox/houdini';
import type { HoudiniSandbox } from '../../sandbox/houdini';

const PARTNER_ID = 'partner-rest';
const SECRET = 'rest-secret';
const AUTHORIZATION = `${PARTNER_ID}:${SECRET}`;
// 1000×: a 100-simulated-second step lasts 100 real milliseconds.
const TIME_SCALE = 1000;

let sandbox: HoudiniSandbox;

beforeAll(async () => {
  sandbox = await startHoudiniSandbox({ partnerId: PARTNER_ID, secret: SECRET, timeScale: TIME_SCALE });
});
afterAll(() => sandbox.close());
afterEach(() => sandbox.clearFaults());

/** `null` sends no Authorization header. */
async function get(path: string, authorization: string | null = AUTHORIZATION) {
  const response = await fetch(`${sandbox.url}${path}`, { headers: authorization === null ? {} : { Authorization: authorization } });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

const getOrder = async (orderId: string) => (await get(`/v2/orders/${encodeURIComponent(orderId)}`)).body;
const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

describe('GET /v2/orders/:houdiniId', () => {
  it('advances by request count, with numeric codes and fields accumulating over steps', async () => {
    sandbox.addOrder({
      id: 'by-count',
      steps: [
        { status: 'WAITING', requests: 2 },
        { status: 'CONFIRMING', requests: 1, fields: { inTxHash: 'in-1' } },
        { status: '2', requests: 1 },
        { status: 'FINISHED', fields: { outTxHash: 'out-1', houdiniId: 'ignored', status: 99 } },
      ],
    });
    const seen = [];
    for (let poll = 0; poll < 6; poll += 1) seen.push(await getOrder('by-count'));
    expect(seen.map((order) => order.status)).toEqual([0, 0, 1, 2, 4, 4]);
    expect(seen[2]).toMatchObject({ inTxHash: 'in-1', outTxHash: null });
    expect(seen[4]).toMatchObject({ houdiniId: 'by-count', inTxHash: 'in-1', outTxHash: 'out-1' });
  });

  it('answers the whole order shape', async () => {
    const before = Date.now();
    sandbox.addOrder({ id: 'shape', steps: [{ status: 'NEW' }] });
    const order = await getOrder('shape');
    expect(Object.keys(order)).toEqual([
      'houdiniId', 'status', 'created', 'expires', 'anonymous', 'depositAddress', 'depositTag', 'receiverAddress',
      'receiverTag', 'inAmount', 'inSymbol', 'outAmount', 'outSymbol', 'eta', 'inTxHash', 'outTxHash', 'route',
    ]);
    expect(order).toMatchObject({ houdiniId: 'shape', status: -1, anonymous: false, inSymbol: 'BTC', outSymbol: 'ETH', route: 'BTC → ETH' });
    const created = Date.parse(String(order.created));
    expect(created).toBeGreaterThanOrEqual(before);
    // The seed's 30-minute deposit window, scaled like every simulated duration.
    expect(Date.parse(String(order.expires)) - created).toBe((30 * 60_000) / TIME_SCALE);
  });

  it('takes the deposit window from the script', async () => {
    sandbox.addOrder({ id: 'window', depositWindowMs: 8_000_000, steps: [{ status: 'WAITING' }] });
    const order = await getOrder('window');
    expect(Date.parse(String(order.expires)) - Date.parse(String(order.created))).toBe(8_000);
  });

  it('censors the route of an anonymous order, even when a step sets one', async () => {
    sandbox.addOrder({ id: 'private', anonymous: true, steps: [{ status: 'ANONYMIZING', fields: { route: 'BTC → XMR → ETH' } }] });
    expect(await getOrder('private')).toMatchObject({ status: 3, anonymous: true, route: null, eta: 30 });
  });

  it('advances by scaled time', async () => {
    sandbox.addOrder({ id: 'by-time', steps: [{ status: 'EXCHANGING', durationMs: 100_000 }, { status: 'REFUNDED' }] });
    expect((await getOrder('by-time')).status).toBe(2);
    await sleep(150);
    expect((await getOrder('by-time')).status).toBe(7);
  });

  it('plays a code the seed does not list', async () => {
    sandbox.addOrder({ id: 'unlisted', steps: [{ status: '9' }] });
    expect((await getOrder('unlisted')).status).toBe(9);
  });

  it('answers 404 for an unknown order and for another partner’s', async () => {
    sandbox.addOrder({ id: 'foreign', partnerId: 'partner-other', steps: [{ status: 'WAITING' }] });
    for (const orderId of ['no-such-order', 'foreign']) {
      const { status, body } = await get(`/v2/orders/${orderId}`);
      expect(status).toBe(404);
      expect(body).toEqual({ statusCode: 404, message: `Order ${orderId} not found`, error: 'Not Found' });
    }
  });

  it('rejects a script with a status Houdini does not have', () => {
    expect(() => sandbox.addOrder({ id: 'bad', steps: [{ status: 'COMPLETED' }] })).toThrow(/Houdini label/);
  });
});

describe('credentials', () => {
  beforeAll(() => sandbox.addOrder({ id: 'auth', steps: [{ status: 'WAITING' }] }));

  it.each([
    ['no Authorization header', null],
    ['a wrong secret', `${PARTNER_ID}:wrong`],
    ['a Bearer scheme', `Bearer ${AUTHORIZATION}`],
    ['the secret alone', SECRET],
  ])('answers 401 to %s, and logs it for the order', async (_name, authorization) => {
    const { status, body } = await get('/v2/orders/auth', authorization);
    expect(status).toBe(401);
    expect(body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    expect(sandbox.requests('auth').at(-1)).toMatchObject({ operation: 'get_order', httpStatus: 401 });
  });
});

describe('GET /v2/orders', () => {
  let listing: HoudiniSandbox;
  beforeAll(async () => {
    listing = await startHoudiniSandbox({ partnerId: PARTNER_ID, secret: SECRET });
    for (const id of ['first', 'second', 'third']) listing.addOrder({ id, steps: [{ status: 'WAITING' }] });
    listing.addOrder({ id: 'theirs', partnerId: 'partner-other', steps: [{ status: 'WAITING' }] });
  });
  afterAll(() => listing.close());

  async function list(query = '') {
    const response = await fetch(`${listing.url}/v2/orders${query}`, { headers: { Authorization: AUTHORIZATION } });
    return { status: response.status, body: (await response.json()) as { orders: { houdiniId: string }[]; total: number; page: number; pageSize: number } };
  }

  it('lists this partner’s orders newest first, in the order shape', async () => {
    const { status, body } = await list();
    expect(status).toBe(200);
    expect(body.orders.map((order) => order.houdiniId)).toEqual(['third', 'second', 'first']);
    expect(body).toMatchObject({ total: 3, page: 1, pageSize: 50 });
    expect(body.orders[0]).toMatchObject({ status: 0, inSymbol: 'BTC' });
  });

  it('pages', async () => {
    const { body } = await list('?page=2&pageSize=2');
    expect(body.orders.map((order) => order.houdiniId)).toEqual(['first']);
    expect(body).toMatchObject({ total: 3, page: 2, pageSize: 2 });
  });

  it.each(['?page=0', '?pageSize=101', '?pageSize=x'])('answers 400 to %s', async (query) => {
    expect((await list(query)).status).toBe(400);
  });

  it('does not count as answering an order', async () => {
    listing.addOrder({ id: 'counted', steps: [{ status: 'WAITING', requests: 1 }, { status: 'CONFIRMING' }] });
    await list();
    await list();
    const response = await fetch(`${listing.url}/v2/orders/counted`, { headers: { Authorization: AUTHORIZATION } });
    expect(((await response.json()) as { status: number }).status).toBe(0);
    expect(listing.requests().filter((entry) => entry.operation === 'list_orders').every((entry) => entry.orderId === undefined)).toBe(true);
  });
});

describe('other routes', () => {
  it('answers 404 for an unknown path and 405 for a write', async () => {
    expect((await get('/v1/orders/x')).status).toBe(404);
    const response = await fetch(`${sandbox.url}/v2/orders/x`, { method: 'POST', headers: { Authorization: AUTHORIZATION } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
  });
});

describe('faults and the request log', () => {
  it('applies an order’s faults to that order only, and logs each request', async () => {
    sandbox.addOrder({ id: 'faulty', steps: [{ status: 'WAITING', requests: 1 }, { status: 'CONFIRMING' }] });
    sandbox.addOrder({ id: 'bystander', steps: [{ status: 'WAITING' }] });
    sandbox.setFault({ kind: 'rate_limit', retryAfterSeconds: 4, count: 1 }, 'faulty');
    const limited = await get('/v2/orders/faulty');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('4');
    expect(limited.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    expect((await get('/v2/orders/bystander')).status).toBe(200);
    // The refused request did not count as an answer.
    expect((await getOrder('faulty')).status).toBe(0);
    expect(sandbox.requests('faulty').map((entry) => [entry.operation, entry.httpStatus, entry.fault])).toEqual([
      ['get_order', 429, 'rate_limit'],
      ['get_order', 200, undefined],
    ]);
  });

  it('answers schema drift in Houdini’s shape without a numeric status', async () => {
    sandbox.addOrder({ id: 'drift', steps: [{ status: 'WAITING' }] });
    sandbox.setFault({ kind: 'schema_drift', count: 1 }, 'drift');
    const { status, body } = await get('/v2/orders/drift');
    expect(status).toBe(200);
    expect(body).toMatchObject({ houdiniId: 'drift', state: 'FINISHED' });
    expect(body.status).toBeUndefined();
  });
});

describe('control API', () => {
  const control = (path: string, init: { method: string; body?: unknown }) =>
    fetch(`${sandbox.controlUrl}${path}`, {
      method: init.method,
      headers: { 'Content-Type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });

  it('adds orders, sets HTTP and push faults, and reads both logs', async () => {
    expect((await control('orders', { method: 'POST', body: { id: 'remote', steps: [{ status: 'CONFIRMING' }] } })).status).toBe(201);
    expect((await control('faults', { method: 'POST', body: { fault: { kind: 'server_error', count: 1 }, orderId: 'remote' } })).status).toBe(204);
    expect((await get('/v2/orders/remote')).status).toBe(500);
    expect((await getOrder('remote')).status).toBe(1);

    expect((await control('push-faults', { method: 'POST', body: { fault: { kind: 'duplicate_push' }, orderId: 'remote' } })).status).toBe(204);
    expect((await control('push-faults', { method: 'POST', body: { fault: { kind: 'server_error' } } })).status).toBe(400);
    expect((await control('push-faults', { method: 'DELETE' })).status).toBe(204);

    const requests = (await (await control('requests?orderId=remote', { method: 'GET' })).json()) as { requests: unknown[] };
    expect(requests.requests).toHaveLength(2);
    const pushes = (await (await control('pushes?orderId=remote', { method: 'GET' })).json()) as { pushes: unknown[] };
    expect(pushes.pushes).toEqual([]);
    expect(await (await control('drop-sockets', { method: 'POST' })).json()).toEqual({ dropped: 0 });
  });

  it('rejects a script in the wrong shape with 400', async () => {
    const response = await control('orders', { method: 'POST', body: { id: 'bad', steps: [{ status: 'PAID' }] } });
    expect(response.status).toBe(400);
  });
});
