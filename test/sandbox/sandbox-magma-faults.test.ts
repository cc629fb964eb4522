/** Each injected fault, as a graphql-request client following the seed sees it over real HTTP. */
import { ClientError, GraphQLClient } from 'graphql-request';
import { startMagmaSandbox } from '../../sandbox/magma';
import type { MagmaSandbox } from '../../sandbox/magma';
import { SEED_GET_ORDER_QUERY } from '../helpers/magma-seed-queries';
import type { SeedGetOrderResponse } from '../helpers/magma-seed-queries';

const API_KEY = 'magma-test-key';
const ORDER = 'faulty';

let sandbox: MagmaSandbox;
let client: GraphQLClient;

beforeAll(async () => {
  sandbox = await startMagmaSandbox({ apiKey: API_KEY });
  client = new GraphQLClient(sandbox.url, { headers: { Authorization: `Bearer ${API_KEY}` } });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.clearFaults();
  // Re-added before each test, so every test starts at FIRST.
  sandbox.addOrder({ id: ORDER, steps: [{ status: 'FIRST', requests: 1 }, { status: 'SECOND' }] });
  sandbox.addOrder({ id: 'bystander', steps: [{ status: 'WAITING_FOR_SELLER_APPROVAL' }] });
});

const getOrder = (orderId = ORDER) => client.request<SeedGetOrderResponse>(SEED_GET_ORDER_QUERY, { orderId });
const statusOf = async (orderId = ORDER) => (await getOrder(orderId)).user.market.orders.get_order?.status;

async function clientError(promise: Promise<unknown>): Promise<ClientError> {
  const error = await promise.then(() => undefined, (reason: unknown) => reason);
  if (!(error instanceof ClientError)) throw new Error(`expected a ClientError, got ${String(error)}`);
  return error;
}

const lastLogged = () => sandbox.requests(ORDER).at(-1);

it('rate_limit: 429 with Retry-After, for `count` requests, then normal again', async () => {
  sandbox.setFault({ kind: 'rate_limit', retryAfterSeconds: 7, count: 2 }, ORDER);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const error = await clientError(getOrder());
    expect(error.response.status).toBe(429);
    // graphql-request types `headers` as unknown; it is the fetch response's Headers.
    expect((error.response.headers as Headers).get('retry-after')).toBe('7');
    expect(error.response.errors?.[0]?.extensions).toEqual({ code: 'TOO_MANY_REQUESTS' });
  }
  // The refused requests did not count as answers: the order is still at its first step.
  expect(await statusOf()).toBe('FIRST');
  expect(lastLogged()).toMatchObject({ httpStatus: 200 });
  expect(sandbox.requests(ORDER)[0]).toMatchObject({ httpStatus: 429, fault: 'rate_limit' });
});

it('server_error: 500 until cleared', async () => {
  sandbox.setFault({ kind: 'server_error' });
  for (let attempt = 0; attempt < 3; attempt += 1) expect((await clientError(getOrder())).response.status).toBe(500);
  sandbox.clearFaults();
  expect(await statusOf()).toBe('FIRST');
});

it('slow: the normal answer, after the delay', async () => {
  sandbox.setFault({ kind: 'slow', delayMs: 300, count: 1 }, ORDER);
  const started = Date.now();
  expect(await statusOf()).toBe('FIRST');
  expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  expect(lastLogged()).toMatchObject({ httpStatus: 200, fault: 'slow' });
  expect(await statusOf()).toBe('SECOND'); // a slow answer is still an answer
});

it('malformed: 200 whose JSON-labelled body does not parse', async () => {
  sandbox.setFault({ kind: 'malformed', count: 1 }, ORDER);
  await expect(getOrder()).rejects.toThrow(SyntaxError);
  sandbox.setFault({ kind: 'malformed', count: 1 }, ORDER);
  const response = await fetch(sandbox.url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${API_KEY}` },
    body: JSON.stringify({ query: SEED_GET_ORDER_QUERY, variables: { orderId: ORDER } }),
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const text = await response.text();
  expect(() => JSON.parse(text)).toThrow();
});

it('schema_drift: 200 JSON whose order has no status and wrong types', async () => {
  sandbox.setFault({ kind: 'schema_drift', count: 1 }, ORDER);
  const order = (await getOrder()).user.market.orders.get_order;
  expect(order).not.toHaveProperty('status');
  expect(order).toMatchObject({ id: ORDER, payment_status: 42, confirmations: { confirmations: 'two' } });
  expect(lastLogged()).toMatchObject({ httpStatus: 200, fault: 'schema_drift' });
});

it('auth_refused: 401 even with the right key', async () => {
  sandbox.setFault({ kind: 'auth_refused', count: 1 });
  const error = await clientError(getOrder());
  expect(error.response.status).toBe(401);
  expect(error.response.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
  expect(await statusOf()).toBe('FIRST');
});

it('reset: the connection is destroyed without an answer', async () => {
  sandbox.setFault({ kind: 'reset', count: 1 }, ORDER);
  await expect(getOrder()).rejects.toThrow(/socket hang up|ECONNRESET|other side closed/);
  expect(lastLogged()).toMatchObject({ httpStatus: 0, fault: 'reset' });
  expect(await statusOf()).toBe('FIRST');
});

it("an order's fault leaves other orders alone; a global fault hits them all", async () => {
  sandbox.setFault({ kind: 'server_error' }, ORDER);
  expect(await statusOf('bystander')).toBe('WAITING_FOR_SELLER_APPROVAL');
  sandbox.clearFaults(ORDER);
  sandbox.setFault({ kind: 'server_error', count: 2 });
  expect((await clientError(getOrder('bystander'))).response.status).toBe(500);
  expect((await clientError(getOrder())).response.status).toBe(500);
  expect(await statusOf()).toBe('FIRST');
});

it('close() does not wait for a request held by a slow fault', async () => {
  const own = await startMagmaSandbox({ apiKey: API_KEY });
  own.setFault({ kind: 'slow', delayMs: 60_000 });
  const held = new GraphQLClient(own.url, { headers: { Authorization: `Bearer ${API_KEY}` } })
    .request(SEED_GET_ORDER_QUERY, { orderId: ORDER })
    .then(() => 'answered', () => 'dropped');
  await new Promise((resolve) => setTimeout(resolve, 100)); // let the request arrive
  const started = Date.now();
  await own.close();
  expect(Date.now() - started).toBeLessThan(1_000);
  expect(await held).toBe('dropped');
});
