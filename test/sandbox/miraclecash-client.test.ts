/** The MiracleCash adapter against the simulator over real HTTP, and a fixture server for the odd answers. */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createMiracleCashAdapter,
  miracleCashAuthorization,
  toMiracleCashObservation,
} from '../../providers/miraclecash/miraclecash-client';
import type { ProviderAdapter } from '../../providers/provider';
import { SYSTEM_CLOCK } from '../../providers/provider-clock';
import { ProviderCallError } from '../../providers/provider-error';
import { startMiracleCashSandbox } from '../../sandbox/miraclecash';
import type { MiracleCashSandbox } from '../../sandbox/miraclecash';

const CLIENT_ID = 'client-123';
const API_KEY = 'mc-test-key';
const CREATED_AT = '2025-01-28T14:30:00.000Z';

let sandbox: MiracleCashSandbox;
let adapter: ProviderAdapter;

beforeAll(async () => {
  sandbox = await startMiracleCashSandbox({ clientId: CLIENT_ID, apiKey: API_KEY });
  adapter = createMiracleCashAdapter({ url: sandbox.url, clientId: CLIENT_ID, apiKey: API_KEY, requestTimeoutMs: 1_000 });
});
afterAll(() => sandbox.close());
afterEach(() => sandbox.clearFaults());

async function callError(promise: Promise<unknown>): Promise<ProviderCallError> {
  const error = await promise.then(() => undefined, (reason: unknown) => reason);
  if (!(error instanceof ProviderCallError)) throw new Error(`expected a ProviderCallError, got ${String(error)}`);
  return error;
}

it('builds the seed’s Basic header: base64 of client_id:api_key', () => {
  expect(miracleCashAuthorization('your_client_id', 'your_api_key')).toBe(
    `Basic ${Buffer.from('your_client_id:your_api_key').toString('base64')}`,
  );
});

it('observes a fresh pending payment: in flight, 5 s, with blockchainId, createdAt and expiresAt', async () => {
  sandbox.addOrder({ id: 'fresh', steps: [{ status: 'pending' }] });
  const observation = await adapter.fetchOrder('fresh');
  expect(observation).toMatchObject({ status: 'pending', phase: 'in_flight', recognised: true, rank: 1, nextWaitMs: 5_000 });
  const createdAt = Date.parse(String(observation.details.createdAt));
  expect(observation.details.blockchainId).toBe('eth');
  expect(observation.details.expiresAt).toBe(new Date(createdAt + 24 * 3_600_000).toISOString());
});

it('observes an hour-old payment with a wait of a thirtieth of its age, up to its maxPollMs (MIRACLECASH_MAX_POLL)', async () => {
  const createdAt = new Date(Date.now() - 3_600_000).toISOString();
  sandbox.addOrder({ id: 'hour-old', steps: [{ status: 'pending', fields: { createdAt } }] });
  const patient = createMiracleCashAdapter({ url: sandbox.url, clientId: CLIENT_ID, apiKey: API_KEY, maxPollMs: 600_000 });
  const { nextWaitMs } = await patient.fetchOrder('hour-old');
  expect(nextWaitMs).toBeGreaterThanOrEqual(120_000);
  expect(nextWaitMs).toBeLessThan(121_000);
  // By default the seed's 5 s poll interval caps it.
  expect((await adapter.fetchOrder('hour-old')).nextWaitMs).toBe(5_000);
});

it.each([
  ['successful', 'succeeded'],
  ['unsuccessful', 'failed'],
  ['expired', 'failed'],
  ['cancelled', 'failed'],
])('observes %s as %s, ranked above pending', async (status, phase) => {
  sandbox.addOrder({ id: `final-${status}`, steps: [{ status }] });
  expect(await adapter.fetchOrder(`final-${status}`)).toMatchObject({ status, phase, recognised: true, rank: 100 });
});

it('keeps an unknown status in flight, unrecognised', async () => {
  sandbox.addOrder({ id: 'novel', steps: [{ status: 'awaiting_confirmations' }] });
  expect(await adapter.fetchOrder('novel')).toMatchObject({ status: 'awaiting_confirmations', phase: 'in_flight', recognised: false });
});

describe('errors', () => {
  beforeAll(() => {
    sandbox.addOrder({ id: 'open', steps: [{ status: 'pending' }] });
    // Requests the client gives up on (its timeout, its abort) ask for this one, with faults of its
    // own: a busy machine may deliver one after the next test set its fault, which it must not take.
    sandbox.addOrder({ id: 'abandoned', steps: [{ status: 'pending' }] });
  });

  it('wrong credentials: 401 → credentials_refused, not retryable', async () => {
    const wrong = createMiracleCashAdapter({ url: sandbox.url, clientId: CLIENT_ID, apiKey: 'revoked' });
    const error = await callError(wrong.fetchOrder('open'));
    expect(error).toMatchObject({ kind: 'credentials_refused', isRetryable: false, details: { httpStatus: 401 } });
    expect(error.message).toMatch(/refused the client id and API key \(HTTP 401\): Unauthorized/);
    expect(sandbox.requests('open').at(-1)).toMatchObject({ httpStatus: 401 });
  });

  it('an unknown payment: 404 → not_found', async () => {
    const error = await callError(adapter.fetchOrder('no-such-payment'));
    expect(error).toMatchObject({ kind: 'not_found', isRetryable: false, details: { httpStatus: 404 } });
    expect(error.message).toBe('MiracleCash has no payment prompt no-such-payment: Payment prompt not found');
  });

  it('429 with Retry-After → rate_limited with retryAfterMs', async () => {
    sandbox.setFault({ kind: 'rate_limit', retryAfterSeconds: 30, count: 1 });
    const error = await callError(adapter.fetchOrder('open'));
    expect(error).toMatchObject({ kind: 'rate_limited', isRetryable: true, details: { httpStatus: 429, retryAfterMs: 30_000 } });
  });

  it.each([
    ['server_error', /answered payment prompt \S+ with HTTP 500/],
    ['reset', /request failed/],
  ] as const)('%s → unavailable, retryable', async (kind, message) => {
    sandbox.setFault({ kind, count: 1 });
    const error = await callError(adapter.fetchOrder('open'));
    expect(error).toMatchObject({ kind: 'unavailable', isRetryable: true });
    expect(error.message).toMatch(message);
  });

  it('an answer slower than requestTimeoutMs → unavailable', async () => {
    sandbox.setFault({ kind: 'slow', delayMs: 3_000, count: 1 }, 'abandoned');
    const error = await callError(adapter.fetchOrder('abandoned'));
    expect(error.kind).toBe('unavailable');
    expect(error.message).toMatch(/^MiracleCash did not answer payment prompt \S+ in \d+ ms/);
  });

  it('the caller’s abort signal ends the request', async () => {
    sandbox.setFault({ kind: 'slow', delayMs: 3_000, count: 1 }, 'abandoned');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const error = await callError(adapter.fetchOrder('abandoned', controller.signal));
    expect(error.kind).toBe('unavailable');
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('malformed JSON → invalid_response', async () => {
    sandbox.setFault({ kind: 'malformed', count: 1 });
    const error = await callError(adapter.fetchOrder('open'));
    expect(error).toMatchObject({ kind: 'invalid_response', isRetryable: true });
    expect(error.message).toMatch(/^MiracleCash answered payment prompt \S+ with malformed JSON/);
  });

  it('schema drift → invalid_response naming what did not match (the status, not display fields)', async () => {
    sandbox.setFault({ kind: 'schema_drift', count: 1 });
    const error = await callError(adapter.fetchOrder('open'));
    expect(error.kind).toBe('invalid_response');
    expect(error.message).toContain('status: Required');
    // Display-only fields of another type never reject an answer: only the missing status does.
    expect(error.message).not.toContain('blockchainId');
  });
});

describe('answers only a fixture server gives', () => {
  let fixture: Server;
  let reply: { status: number; body: string; headers?: Record<string, string> };
  let fixtureAdapter: ProviderAdapter;

  beforeAll(async () => {
    fixture = createServer((_request, response) => response.writeHead(reply.status, reply.headers).end(reply.body));
    await new Promise<void>((resolve) => fixture.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(fixture.address() as AddressInfo).port}/`;
    fixtureAdapter = createMiracleCashAdapter({ url, clientId: CLIENT_ID, apiKey: API_KEY });
  });
  afterAll(async () => {
    fixture.closeAllConnections();
    await new Promise((resolve) => fixture.close(resolve));
  });

  it.each([
    ['a 403', 'credentials_refused', { status: 403, body: '{"statusCode":403,"message":"Forbidden resource"}' }],
    ['a 503 with an HTML page', 'unavailable', { status: 503, body: '<html>down</html>' }],
    ['an answer for another payment', 'invalid_response', { status: 200, body: JSON.stringify({ id: 'other', status: 'successful' }) }],
    ['an empty status', 'invalid_response', { status: 200, body: JSON.stringify({ id: 'p1', status: '' }) }],
    ['a status over 64 characters', 'invalid_response', { status: 200, body: JSON.stringify({ id: 'p1', status: 'p'.repeat(65) }) }],
  ])('%s → %s', async (_name, kind, answer) => {
    reply = answer;
    expect((await callError(fixtureAdapter.fetchOrder('p1'))).kind).toBe(kind);
  });

  it('names the status field when it is too long', async () => {
    reply = { status: 200, body: JSON.stringify({ status: 'p'.repeat(65) }) };
    expect((await callError(fixtureAdapter.fetchOrder('p1'))).message).toMatch(/status: status longer than 64 characters/);
  });

  it('compares the echoed id case-insensitively, and shows display fields of another type as null', async () => {
    reply = { status: 200, body: JSON.stringify({ id: 'ABC-1', status: 'pending', createdAt: 1738074600, blockchainId: 1 }) };
    expect(await fixtureAdapter.fetchOrder('abc-1')).toMatchObject({
      status: 'pending',
      phase: 'in_flight',
      nextWaitMs: 5_000, // the age is unknown: the seed's 30 s re-check, capped at the default 5 s
      details: { blockchainId: null, createdAt: null, expiresAt: null },
    });
  });

  it('reads a minimal answer: only status is required, extra fields are ignored', async () => {
    reply = { status: 200, body: JSON.stringify({ status: 'successful', amount: '10.00', blockchainId: null }) };
    expect(await fixtureAdapter.fetchOrder('p1')).toEqual({
      status: 'successful',
      phase: 'succeeded',
      recognised: true,
      rank: 100,
      nextWaitMs: 5_000,
      details: { blockchainId: null, createdAt: null, expiresAt: null },
    });
  });
});

it('toMiracleCashObservation is pure: the same answer and clock give the same observation', () => {
  const payment = { id: 'p', blockchainId: 'eth', status: 'pending', createdAt: CREATED_AT };
  const now = Date.parse(CREATED_AT) + 2 * 3_600_000;
  expect(toMiracleCashObservation(payment, now, SYSTEM_CLOCK, 600_000)).toEqual({
    status: 'pending',
    phase: 'in_flight',
    recognised: true,
    rank: 1,
    nextWaitMs: 240_000,
    details: { blockchainId: 'eth', createdAt: CREATED_AT, expiresAt: '2025-01-29T14:30:00.000Z' },
  });
});
