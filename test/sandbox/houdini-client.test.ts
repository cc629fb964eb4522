/**
 * The Houdini adapter over real HTTP: against the Houdini simulator for the provider's own answers
 * and faults, and against a tiny purpose-built server for what the simulator never says (403, an
 * HTTP-date Retry-After, another order's id).
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHoudiniAdapter } from '../../providers/houdini/houdini-client';
import type { HoudiniAdapter } from '../../providers/houdini/houdini-client';
import { scaledClock } from '../../providers/provider-clock';
import { ProviderCallError } from '../../providers/provider-error';
import { HOUDINI_AFTER_EXPIRY_MS, HOUDINI_DEPOSIT_POLL_MS, HOUDINI_POLL_ONLY_MS } from '../../providers/houdini/houdini-status';
import { startHoudiniSandbox } from '../../sandbox/houdini';
import type { HoudiniSandbox } from '../../sandbox/houdini';

const PARTNER_ID = 'partner-7';
const SECRET = 's3cr3t:with-colon';

let sandbox: HoudiniSandbox;
let adapter: HoudiniAdapter;

beforeAll(async () => {
  sandbox = await startHoudiniSandbox({ partnerId: PARTNER_ID, secret: SECRET });
  adapter = createHoudiniAdapter({ url: sandbox.url, partnerId: PARTNER_ID, secret: SECRET, pushes: false, requestTimeoutMs: 2_000 });
  sandbox.addOrder({ id: 'order-1', steps: [{ status: 'WAITING' }] });
  // Requests the client gives up on: a busy machine may deliver one after the next test set its
  // fault, and it must not take that fault away (it did: 'malformed JSON' once got a good answer).
  sandbox.addOrder({ id: 'order-abandoned', steps: [{ status: 'WAITING' }] });
});
afterAll(() => sandbox.close());
afterEach(() => sandbox.clearFaults());

async function callError(promise: Promise<unknown>): Promise<ProviderCallError> {
  const error = await promise.then(() => undefined, (reason: unknown) => reason);
  if (!(error instanceof ProviderCallError)) throw new Error(`expected a ProviderCallError, got ${String(error)}`);
  return error;
}

describe('fetchOrder against the simulator', () => {
  it('normalises the order', async () => {
    const observation = await adapter.fetchOrder('order-1');
    expect(observation).toMatchObject({ status: 'WAITING', phase: 'in_flight', recognised: true, details: { statusCode: 0, inSymbol: 'BTC' } });
    expect(Date.parse(String(observation.details.expiresAt))).toBeGreaterThan(Date.now() + 29 * 60_000);
  });

  it('accepts a base URL with a trailing slash', async () => {
    const slashed = createHoudiniAdapter({ url: `${sandbox.url}/`, partnerId: PARTNER_ID, secret: SECRET, pushes: false });
    expect((await slashed.fetchOrder('order-1')).status).toBe('WAITING');
    expect(sandbox.requests('order-1').at(-1)).toMatchObject({ operation: 'get_order', httpStatus: 200 });
  });

  it.each([
    ['a wrong secret', { partnerId: PARTNER_ID, secret: 'nope', pushes: false }],
    ['another partner', { partnerId: 'partner-8', secret: SECRET }],
  ])('refuses %s as credentials_refused, not retryable', async (_name, credentials) => {
    const wrong = createHoudiniAdapter({ url: sandbox.url, ...credentials, pushes: false });
    const error = await callError(wrong.fetchOrder('order-1'));
    expect(error).toMatchObject({ kind: 'credentials_refused', isRetryable: false, details: { httpStatus: 401 } });
    expect(error.message).not.toContain(SECRET);
  });

  it('maps the auth_refused fault (a revoked key) to credentials_refused', async () => {
    sandbox.setFault({ kind: 'auth_refused', count: 1 }, 'order-1');
    expect((await callError(adapter.fetchOrder('order-1'))).kind).toBe('credentials_refused');
  });

  it('maps 404 to not_found', async () => {
    const error = await callError(adapter.fetchOrder('no-such-order'));
    expect(error).toMatchObject({ kind: 'not_found', isRetryable: false });
    expect(error.message).toMatch(/^Houdini has no order no-such-order/);
  });

  it('maps 429 to rate_limited with Retry-After', async () => {
    sandbox.setFault({ kind: 'rate_limit', retryAfterSeconds: 7, count: 1 }, 'order-1');
    const error = await callError(adapter.fetchOrder('order-1'));
    expect(error).toMatchObject({ kind: 'rate_limited', isRetryable: true, details: { httpStatus: 429, retryAfterMs: 7_000 } });
  });

  it('maps 5xx to unavailable', async () => {
    sandbox.setFault({ kind: 'server_error', count: 1 }, 'order-1');
    const error = await callError(adapter.fetchOrder('order-1'));
    expect(error).toMatchObject({ kind: 'unavailable', isRetryable: true, details: { httpStatus: 500 } });
    expect(error.message).toContain('Internal server error');
  });

  it('maps a reset connection to unavailable', async () => {
    sandbox.setFault({ kind: 'reset', count: 1 }, 'order-1');
    expect((await callError(adapter.fetchOrder('order-1'))).kind).toBe('unavailable');
  });

  it('gives up after requestTimeoutMs as unavailable', async () => {
    sandbox.setFault({ kind: 'slow', delayMs: 1_000, count: 1 }, 'order-abandoned');
    const quick = createHoudiniAdapter({ url: sandbox.url, partnerId: PARTNER_ID, secret: SECRET, pushes: false, requestTimeoutMs: 200 });
    const error = await callError(quick.fetchOrder('order-abandoned'));
    expect(error).toMatchObject({ kind: 'unavailable', message: 'Houdini did not answer order order-abandoned in 200 ms' });
  });

  it('stops when the caller aborts', async () => {
    sandbox.setFault({ kind: 'slow', delayMs: 1_000, count: 1 }, 'order-abandoned');
    const started = Date.now();
    const error = await callError(adapter.fetchOrder('order-abandoned', AbortSignal.timeout(100)));
    expect(error.kind).toBe('unavailable');
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('maps a body that is not JSON to invalid_response', async () => {
    sandbox.setFault({ kind: 'malformed', count: 1 }, 'order-1');
    const error = await callError(adapter.fetchOrder('order-1'));
    expect(error).toMatchObject({ kind: 'invalid_response', isRetryable: true });
    expect(error.message).toMatch(/^Houdini answered order order-1 with malformed JSON/);
  });

  it('maps schema drift to invalid_response naming what did not match (the status, not display fields)', async () => {
    sandbox.setFault({ kind: 'schema_drift', count: 1 }, 'order-1');
    const error = await callError(adapter.fetchOrder('order-1'));
    expect(error.kind).toBe('invalid_response');
    expect(error.message).toContain('status: Required');
    // Display-only fields of another type never reject an answer: only the missing status does.
    expect(error.message).not.toContain('expires');
  });

  it('maps a refused connection to unavailable', async () => {
    const closed = await startHoudiniSandbox({ partnerId: PARTNER_ID, secret: SECRET });
    await closed.close();
    const nowhere = createHoudiniAdapter({ url: closed.url, partnerId: PARTNER_ID, secret: SECRET, pushes: false });
    const error = await callError(nowhere.fetchOrder('order-1'));
    expect(error.kind).toBe('unavailable');
    expect(error.message).toMatch(/^Houdini request failed: fetch failed/);
  });
});

describe('listOrders against the simulator', () => {
  it('follows the pages and normalises every order of the partner, newest first', async () => {
    const own = await startHoudiniSandbox({ partnerId: PARTNER_ID, secret: SECRET });
    try {
      for (let index = 0; index < 130; index += 1) own.addOrder({ id: `bulk-${index}`, steps: [{ status: index % 2 === 0 ? 'WAITING' : 'FINISHED' }] });
      own.addOrder({ id: 'someone-else', partnerId: 'partner-9', steps: [{ status: 'WAITING' }] });
      const listing = createHoudiniAdapter({ url: own.url, partnerId: PARTNER_ID, secret: SECRET, pushes: false });
      const listed = await listing.listOrders();
      expect(listed).toHaveLength(130);
      expect(listed[0]).toMatchObject({ order: { houdiniId: 'bulk-129', status: 4 }, observation: { status: 'FINISHED', phase: 'succeeded' } });
      expect(listed.at(-1)).toMatchObject({ order: { houdiniId: 'bulk-0' }, observation: { status: 'WAITING' } });
      expect(own.requests().filter((entry) => entry.operation === 'list_orders')).toHaveLength(2);
    } finally {
      await own.close();
    }
  });

  it('waits for the request budget before each page (the push bridge\'s catch-up shares the provider\'s slots)', async () => {
    const own = await startHoudiniSandbox({ partnerId: PARTNER_ID, secret: SECRET });
    try {
      for (let index = 0; index < 150; index += 1) own.addOrder({ id: `paced-${index}`, steps: [{ status: 'WAITING' }] });
      const listing = createHoudiniAdapter({ url: own.url, partnerId: PARTNER_ID, secret: SECRET, pushes: false });
      const pagesAskedBeforeEachSlot: number[] = [];
      const budget = async () => void pagesAskedBeforeEachSlot.push(own.requests().length);
      expect(await listing.listOrders(undefined, budget)).toHaveLength(150);
      // One slot before each of the two pages, each taken before its page went out.
      expect(pagesAskedBeforeEachSlot).toEqual([0, 1]);
      expect(own.requests()).toHaveLength(2);
    } finally {
      await own.close();
    }
  });

  it('computes a deposit wait in Houdini\'s time when given the sandbox\'s time scale, at the stage cadence with pushes and the floor without', async () => {
    const own = await startHoudiniSandbox({ partnerId: PARTNER_ID, secret: SECRET });
    try {
      // The deposit window ends 10 s from now (wall): at scale 10 that is 100 s of Houdini's time,
      // past the 30 s deposit cadence.
      own.addOrder({ id: 'deposit-window', depositWindowMs: 10_000, steps: [{ status: 'WAITING' }] });
      const settings = { url: own.url, partnerId: PARTNER_ID, secret: SECRET };
      const [unscaled] = await createHoudiniAdapter({ ...settings, pushes: true }).listOrders();
      const [scaled] = await createHoudiniAdapter({ ...settings, pushes: true }, scaledClock(10)).listOrders();
      const [pollOnly] = await createHoudiniAdapter({ ...settings, pushes: false }, scaledClock(10)).listOrders();
      expect(unscaled?.observation.nextWaitMs).toBeLessThanOrEqual(10_000 + HOUDINI_AFTER_EXPIRY_MS);
      expect(unscaled?.observation.nextWaitMs).toBeGreaterThan(8_000);
      // Houdini's 30 s deposit cadence, as a wall-clock wait at scale 10.
      expect(scaled?.observation.nextWaitMs).toBe(HOUDINI_DEPOSIT_POLL_MS / 10);
      // Without pushes: the 5 s floor, a tenth of it in wall time.
      expect(pollOnly?.observation.nextWaitMs).toBe(HOUDINI_POLL_ONLY_MS / 10);
    } finally {
      await own.close();
    }
  });

  it('maps refused credentials the same way as fetchOrder', async () => {
    const wrong = createHoudiniAdapter({ url: sandbox.url, partnerId: PARTNER_ID, secret: 'nope', pushes: false });
    expect((await callError(wrong.listOrders())).kind).toBe('credentials_refused');
  });

  it('names HOUDINI_URL when the list is not where the URL says', async () => {
    const misplaced = createHoudiniAdapter({ url: `${sandbox.url}/api`, partnerId: PARTNER_ID, secret: SECRET, pushes: false });
    const error = await callError(misplaced.listOrders());
    expect(error).toMatchObject({ kind: 'unavailable', details: { httpStatus: 404 } });
    expect(error.message).toContain('HOUDINI_URL');
  });
});

describe('against a purpose-built server', () => {
  let server: Server;
  let url: string;
  let answer: { status: number; body: string; headers?: Record<string, string> };
  let seen: IncomingHttpHeaders;
  let seenPath: string | undefined;

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen = request.headers;
      seenPath = request.url;
      response.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers }).end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const client = () => createHoudiniAdapter({ url, partnerId: PARTNER_ID, secret: SECRET, pushes: false });

  it('sends exactly `Authorization: partnerId:secret`, no scheme', async () => {
    answer = { status: 200, body: JSON.stringify({ houdiniId: 'order-1', status: 4 }) };
    expect((await client().fetchOrder('order-1')).status).toBe('FINISHED');
    expect(seen.authorization).toBe(`${PARTNER_ID}:${SECRET}`);
  });

  it('maps 403 to credentials_refused', async () => {
    answer = { status: 403, body: '{"statusCode":403,"message":"Forbidden"}' };
    expect(await callError(client().fetchOrder('order-1'))).toMatchObject({ kind: 'credentials_refused', details: { httpStatus: 403 } });
  });

  it('reads an HTTP-date Retry-After', async () => {
    answer = { status: 429, body: '{}', headers: { 'Retry-After': new Date(Date.now() + 30_000).toUTCString() } };
    const error = await callError(client().fetchOrder('order-1'));
    expect(error.details.retryAfterMs).toBeGreaterThan(25_000);
    expect(error.details.retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it('maps 503 without a body to unavailable', async () => {
    answer = { status: 503, body: '' };
    expect(await callError(client().fetchOrder('order-1'))).toMatchObject({ kind: 'unavailable', message: 'Houdini answered order order-1 with HTTP 503' });
  });

  it('refuses an answer about another order', async () => {
    answer = { status: 200, body: JSON.stringify({ houdiniId: 'order-2', status: 4 }) };
    const error = await callError(client().fetchOrder('order-1'));
    expect(error).toMatchObject({ kind: 'invalid_response', message: 'Houdini answered order order-2 when asked for order-1' });
  });

  it('escapes the order id in the path', async () => {
    answer = { status: 200, body: JSON.stringify({ houdiniId: 'a/b c', status: 1 }) };
    await client().fetchOrder('a/b c');
    expect(seenPath).toBe('/v2/orders/a%2Fb%20c');
  });

  it('maps a list in the wrong shape to invalid_response', async () => {
    answer = { status: 200, body: JSON.stringify([{ houdiniId: 'x', status: 1 }]) };
    const error = await callError(client().listOrders());
    expect(error.kind).toBe('invalid_response');
    expect(error.message).toContain('Houdini order list did not match the schema');
  });
});
