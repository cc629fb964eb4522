/** The Magma simulator over real HTTP, asked with graphql-request and the seed's own queries. */
import { ClientError, GraphQLClient } from 'graphql-request';
import { startMagmaSandbox } from '../../sandbox/magma';
import type { MagmaSandbox } from '../../sandbox/magma';
import { SEED_GET_ORDER_QUERY, SEED_LIST_PURCHASES_QUERY } from '../helpers/magma-seed-queries';
import type { SeedGetOrderResponse, SeedListPurchasesResponse } from '../helpers/magma-seed-queries';

const API_KEY = 'magma-test-key';
// 1000×: a 100-simulated-second step lasts 100 real milliseconds.
const TIME_SCALE = 1000;

let sandbox: MagmaSandbox;
let client: GraphQLClient;

beforeAll(async () => {
  sandbox = await startMagmaSandbox({ apiKey: API_KEY, timeScale: TIME_SCALE });
  client = clientWith(`Bearer ${API_KEY}`);
});
afterAll(() => sandbox.close());
afterEach(() => sandbox.clearFaults());

function clientWith(authorization?: string): GraphQLClient {
  return new GraphQLClient(sandbox.url, { headers: authorization === undefined ? {} : { Authorization: authorization } });
}

async function getOrder(orderId: string, using = client) {
  const data = await using.request<SeedGetOrderResponse>(SEED_GET_ORDER_QUERY, { orderId });
  return data.user.market.orders.get_order;
}

async function clientError(promise: Promise<unknown>): Promise<ClientError> {
  const error = await promise.then(() => undefined, (reason: unknown) => reason);
  if (!(error instanceof ClientError)) throw new Error(`expected a ClientError, got ${String(error)}`);
  return error;
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

describe('scripted orders', () => {
  it('advances by request count, with fields accumulating over steps', async () => {
    sandbox.addOrder({
      id: 'by-count',
      steps: [
        { status: 'WAITING_FOR_SELLER_APPROVAL', requests: 2 },
        { status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION', requests: 1, fields: { payment_status: 'SUCCESSFUL_PAYMENT', transaction_id: 'tx1', confirmations: { confirmations: 2 } } },
        { status: 'VALID_CHANNEL_OPENING', fields: { channel_id: '850000x1x0', confirmations: { confirmations: 6 } } },
      ],
    });
    const seen = [];
    for (let poll = 0; poll < 5; poll += 1) seen.push(await getOrder('by-count'));
    expect(seen.map((order) => order?.status)).toEqual([
      'WAITING_FOR_SELLER_APPROVAL',
      'WAITING_FOR_SELLER_APPROVAL',
      'WAITING_FOR_ON_CHAIN_CONFIRMATION',
      'VALID_CHANNEL_OPENING',
      'VALID_CHANNEL_OPENING',
    ]);
    expect(seen[0]).toMatchObject({ id: 'by-count', payment_status: null, transaction_id: null, confirmations: null, timeout: null });
    expect(seen[0]?.fees).toEqual({ buyer: { sats: '12500', usd: '5.62' } });
    expect(seen[3]).toMatchObject({ payment_status: 'SUCCESSFUL_PAYMENT', transaction_id: 'tx1', channel_id: '850000x1x0', confirmations: { confirmations: 6 } });
  });

  it('advances by scaled time and shows when the timed step ends as `timeout`', async () => {
    const before = Date.now();
    sandbox.addOrder({
      id: 'by-time',
      steps: [{ status: 'WAITING_FOR_CHANNEL_OPEN', durationMs: 100_000 }, { status: 'SELLER_REJECTED' }],
    });
    const first = await getOrder('by-time');
    expect(first?.status).toBe('WAITING_FOR_CHANNEL_OPEN');
    const timeout = Date.parse(String(first?.timeout));
    expect(timeout).toBeGreaterThanOrEqual(before + 100);
    expect(timeout).toBeLessThanOrEqual(Date.now() + 100 + 1000); // whole seconds, rounded up
    await sleep(150);
    expect(await getOrder('by-time')).toMatchObject({ status: 'SELLER_REJECTED', timeout: null });
  });

  it('answers an unknown order with get_order null and a NOT_FOUND error', async () => {
    const error = await clientError(getOrder('no-such-order'));
    expect(error.response.status).toBe(200);
    expect(error.response.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect((error.response.data as SeedGetOrderResponse).user.market.orders.get_order).toBeNull();
  });

  it('lists purchases newest first, leaving sales out', async () => {
    sandbox.addOrder({ id: 'list-sale', side: 'sale', steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT' }] });
    sandbox.addOrder({ id: 'list-purchase', steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT' }] });
    const data = await client.request<SeedListPurchasesResponse>(SEED_LIST_PURCHASES_QUERY);
    const { list, total } = data.user.market.orders.purchases;
    expect(list[0]).toMatchObject({ id: 'list-purchase', status: 'WAITING_FOR_BUYER_PAYMENT', amount: { satoshi: { sats: '1000000', usd: '450.00' } } });
    expect(Date.parse(String(list[0]?.created_at))).not.toBeNaN();
    expect(list.map((item) => item.id)).not.toContain('list-sale');
    expect(total).toBe(list.length);
    const sales = await client.request<{ user: { market: { orders: { sales: { list: { id: string }[] } } } } }>(
      SEED_LIST_PURCHASES_QUERY.replace('purchases(', 'sales('),
    );
    expect(sales.user.market.orders.sales.list.map((item) => item.id)).toEqual(['list-sale']);
  });

  it('rejects an invalid query with real GraphQL validation errors', async () => {
    const error = await clientError(client.request('{ user { market { orders { get_order(order_id: "x") { colour } } } } }'));
    expect(error.response.status).toBe(400);
    expect(error.response.errors?.[0]).toMatchObject({
      message: expect.stringContaining('colour'),
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });
});

describe('credentials', () => {
  beforeAll(() => sandbox.addOrder({ id: 'auth', steps: [{ status: 'WAITING_FOR_SELLER_APPROVAL' }] }));

  it.each([
    ['no Authorization header', undefined],
    ['a wrong key', 'Bearer not-the-key'],
    ['the key without "Bearer"', API_KEY],
    ['a lower-case scheme', `bearer ${API_KEY}`],
  ])('answers 401 UNAUTHENTICATED to %s', async (_name, authorization) => {
    const error = await clientError(getOrder('auth', clientWith(authorization)));
    expect(error.response.status).toBe(401);
    expect(error.response.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
  });

  it('does not count a refused request as an answer', async () => {
    sandbox.addOrder({ id: 'auth-count', steps: [{ status: 'FIRST', requests: 1 }, { status: 'SECOND' }] });
    await clientError(getOrder('auth-count', clientWith('Bearer wrong')));
    expect((await getOrder('auth-count'))?.status).toBe('FIRST');
  });
});

describe('request log', () => {
  it('records each request with its time, order and HTTP status', async () => {
    sandbox.addOrder({ id: 'logged', steps: [{ status: 'WAITING_FOR_SELLER_APPROVAL' }] });
    const before = Date.now();
    await getOrder('logged');
    await clientError(getOrder('logged', clientWith('Bearer wrong')));
    const after = Date.now();
    const entries = sandbox.requests('logged');
    expect(entries).toEqual([
      { at: expect.any(Number), orderId: 'logged', operation: 'get_order', httpStatus: 200 },
      { at: expect.any(Number), orderId: 'logged', operation: 'get_order', httpStatus: 401 },
    ]);
    for (const entry of entries) {
      expect(entry.at).toBeGreaterThanOrEqual(before);
      expect(entry.at).toBeLessThanOrEqual(after);
    }
    expect(entries[0]!.at).toBeLessThanOrEqual(entries[1]!.at);
    expect(sandbox.requests().some((entry) => entry.operation === 'purchases')).toBe(true);
  });
});

describe('control API', () => {
  const control = (path: string, init?: { method: string; body?: unknown }) =>
    fetch(`${sandbox.controlUrl}${path}`, {
      method: init?.method ?? 'GET',
      ...(init?.body !== undefined && { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(init.body) }),
    });

  it('adds orders, sets and clears faults, and reads the log', async () => {
    const added = await control('orders', { method: 'POST', body: { id: 'remote', steps: [{ status: 'A', requests: 1 }, { status: 'B' }] } });
    expect(added.status).toBe(201);
    expect(await added.json()).toEqual({ id: 'remote' });

    const faulted = await control('faults', { method: 'POST', body: { fault: { kind: 'server_error' }, orderId: 'remote' } });
    expect(faulted.status).toBe(204);
    expect((await clientError(getOrder('remote'))).response.status).toBe(500);

    expect((await control('faults', { method: 'DELETE' })).status).toBe(204);
    expect((await getOrder('remote'))?.status).toBe('A');
    expect((await getOrder('remote'))?.status).toBe('B');

    const log = await control('requests?orderId=remote');
    const { requests } = (await log.json()) as { requests: { httpStatus: number; fault?: string }[] };
    expect(requests.map((entry) => [entry.httpStatus, entry.fault])).toEqual([[500, 'server_error'], [200, undefined], [200, undefined]]);
  });

  it.each([
    ['a script whose middle step never ends', 'orders', { id: 'bad', steps: [{ status: 'A' }, { status: 'B' }] }],
    ['an unknown fault kind', 'faults', { fault: { kind: 'meteor' } }],
    ['a rate limit without Retry-After', 'faults', { fault: { kind: 'rate_limit' } }],
  ])('rejects %s with 400', async (_name, path, body) => {
    const response = await control(path, { method: 'POST', body });
    expect(response.status).toBe(400);
  });

  it('answers an unknown control route with 404', async () => {
    expect((await control('nothing')).status).toBe(404);
  });
});
