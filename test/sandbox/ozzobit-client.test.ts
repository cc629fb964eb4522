/**
 * The OZZOBiT adapter against the simulator over real HTTP; and the promise the push bridges rely
 * on: a webhook, a socket update and a poll of the same order state normalise to the same observation.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { io } from 'socket.io-client';
import { createOzzobitAdapter } from '../../providers/ozzobit/ozzobit-client';
import { normalizeOzzobitOrder } from '../../providers/ozzobit/ozzobit-normalize';
import { ozzobitOrderSchema } from '../../providers/ozzobit/ozzobit-schema';
import { verifyOzzobitSignature } from '../../providers/ozzobit/ozzobit-webhook';
import { parseOzzobitWebhook } from '../../providers/ozzobit/ozzobit-events';
import type { ProviderAdapter } from '../../providers/provider';
import { ProviderCallError } from '../../providers/provider-error';
import { startOzzobitSandbox } from '../../sandbox/ozzobit';
import type { OzzobitSandbox } from '../../sandbox/ozzobit';
import type { Observation } from '../../domain/types';

const SECRET_KEY = 'ozz-secret';
const API_KEY = 'ozz-socket-key';
const WEBHOOK_SECRET = 'ozz-webhook-secret';

let sandbox: OzzobitSandbox;
let adapter: ProviderAdapter;
let receiver: Server;
const webhookBodies: { raw: string; signature: string | undefined }[] = [];

beforeAll(async () => {
  receiver = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    request.on('end', () => {
      webhookBodies.push({ raw, signature: request.headers['x-ozzobit-signature'] as string | undefined });
      response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"received":true}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/OZZOBiT-webhook`;
  sandbox = await startOzzobitSandbox({ secretKey: SECRET_KEY, apiKey: API_KEY, webhook: { url: webhookUrl, secret: WEBHOOK_SECRET } });
  adapter = createOzzobitAdapter({ url: sandbox.url, secretKey: SECRET_KEY, requestTimeoutMs: 1_000 });
});
afterAll(async () => {
  await sandbox.close();
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});
afterEach(() => sandbox.clearFaults());

async function callError(promise: Promise<unknown>): Promise<ProviderCallError> {
  const error = await promise.then(() => undefined, (reason: unknown) => reason);
  if (!(error instanceof ProviderCallError)) throw new Error(`expected a ProviderCallError, got ${String(error)}`);
  return error;
}

it.each([
  ['PROCESSING', 'in_flight', 1],
  ['PENDING_DELIVERY', 'in_flight', 2],
  ['COMPLETED', 'succeeded', 100],
  ['FAILED', 'failed', 100],
  ['CANCELLED', 'failed', 100],
  ['ON_HOLD', 'in_flight', 0],
])('observes %s as %s, rank %d, every 5 s', async (status, phase, rank) => {
  const orderId = `status-${status}`;
  sandbox.addOrder({ id: orderId, steps: [{ status, fields: { transactionHash: '0xabc' } }] });
  expect(await adapter.fetchOrder(orderId)).toEqual({
    status,
    phase,
    recognised: rank > 0,
    rank,
    nextWaitMs: 5_000,
    details: { cryptoCurrency: 'USDT', cryptoAmount: 98.42, network: 'ethereum', transactionHash: '0xabc' },
    ...(rank === 0 && { attention: `unrecognised status ${status}` }),
  });
});

it('sends the secret key as a Bearer token to {url}/api/v2/orders/:id', async () => {
  sandbox.addOrder({ id: 'path check', steps: [{ status: 'PROCESSING' }] });
  expect((await adapter.fetchOrder('path check')).status).toBe('PROCESSING');
  expect(sandbox.requests('path check')).toEqual([expect.objectContaining({ operation: 'get_order', httpStatus: 200 })]);
});

describe('errors', () => {
  beforeAll(() => {
    sandbox.addOrder({ id: 'open', steps: [{ status: 'PROCESSING' }] });
    // The request the client gives up on asks for this one: delivered late on a busy machine, it must
    // not take the next test's fault.
    sandbox.addOrder({ id: 'abandoned', steps: [{ status: 'PROCESSING' }] });
  });

  it('a wrong secret key: 401 → credentials_refused', async () => {
    const wrong = createOzzobitAdapter({ url: sandbox.url, secretKey: API_KEY });
    const error = await callError(wrong.fetchOrder('open'));
    expect(error).toMatchObject({ kind: 'credentials_refused', isRetryable: false, details: { httpStatus: 401 } });
    expect(error.message).toBe('OZZOBiT refused the secret key (HTTP 401): Invalid or missing secret API key');
  });

  it('an unknown order: 404 → not_found', async () => {
    const error = await callError(adapter.fetchOrder('nope'));
    expect(error).toMatchObject({ kind: 'not_found', details: { httpStatus: 404 } });
    expect(error.message).toBe('OZZOBiT has no order nope: Order not found');
  });

  it('a base URL without the seed’s /api prefix lands on no route: 404 too', async () => {
    const rootUrl = sandbox.url.replace(/\/api$/, '');
    expect((await callError(createOzzobitAdapter({ url: rootUrl, secretKey: SECRET_KEY }).fetchOrder('open'))).kind).toBe('not_found');
  });

  it('429 with Retry-After → rate_limited with retryAfterMs', async () => {
    sandbox.setFault({ kind: 'rate_limit', retryAfterSeconds: 12, count: 1 }, 'open');
    expect(await callError(adapter.fetchOrder('open'))).toMatchObject({ kind: 'rate_limited', details: { httpStatus: 429, retryAfterMs: 12_000 } });
  });

  it.each(['server_error', 'reset'] as const)('%s → unavailable', async (kind) => {
    sandbox.setFault({ kind, count: 1 }, 'open');
    expect(await callError(adapter.fetchOrder('open'))).toMatchObject({ kind: 'unavailable', isRetryable: true });
  });

  it('a slow answer past requestTimeoutMs → unavailable', async () => {
    sandbox.setFault({ kind: 'slow', delayMs: 3_000, count: 1 }, 'abandoned');
    expect((await callError(adapter.fetchOrder('abandoned'))).kind).toBe('unavailable');
  });

  it('malformed JSON → invalid_response', async () => {
    sandbox.setFault({ kind: 'malformed', count: 1 }, 'open');
    const error = await callError(adapter.fetchOrder('open'));
    expect(error.kind).toBe('invalid_response');
    expect(error.message).toMatch(/^OZZOBiT answered order \S+ with malformed JSON/);
  });

  it('schema drift → invalid_response naming what did not match (the status, not display fields)', async () => {
    sandbox.setFault({ kind: 'schema_drift', count: 1 }, 'open');
    const error = await callError(adapter.fetchOrder('open'));
    expect(error.kind).toBe('invalid_response');
    expect(error.message).toContain('status: Required');
    // Display-only fields of another type never reject an answer: only the missing status does.
    expect(error.message).not.toContain('network');
  });
});

describe('pushes and polls agree', () => {
  it('a webhook, a socket update and a poll of each status give the same observation', async () => {
    const orderId = 'same-everywhere';
    const socket = io(sandbox.wsUrl, { auth: { apiKey: API_KEY }, transports: ['websocket'] });
    const updates: unknown[] = [];
    socket.on('order:update', (update: unknown) => updates.push(update));
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      expect(await socket.emitWithAck('subscribe:order', { orderId })).toEqual({ ok: true, orderId });
      sandbox.addOrder({
        id: orderId,
        steps: [
          { status: 'PROCESSING', requests: 1 },
          { status: 'PENDING_DELIVERY', requests: 1, fields: { transactionHash: '0xfeed' } },
          { status: 'COMPLETED', fields: { cryptoAmount: '98.40' } },
        ],
      });
      const polled: Observation[] = [];
      for (let poll = 0; poll < 3; poll += 1) polled.push(await adapter.fetchOrder(orderId));
      await waitFor(() => updates.length >= 3 && webhookBodies.filter((body) => body.raw.includes(orderId)).length >= 3);

      const later = Date.now() + 3_600_000; // when a push is normalised does not matter
      const pushedBySocket = updates.map((update) => normalizeOzzobitOrder(ozzobitOrderSchema.parse(update), later));
      const pushedByWebhook = webhookBodies
        .filter((body) => body.raw.includes(orderId))
        .map((body) => {
          expect(verifyOzzobitSignature(body.raw, body.signature, WEBHOOK_SECRET)).toBe(true);
          // Read as the ingress's route reads it.
          const parsed = parseOzzobitWebhook(Buffer.from(body.raw), later);
          if (!parsed.ok) throw new Error(parsed.reason);
          return parsed.observation;
        });
      expect(polled.map((observation) => observation.status)).toEqual(['PROCESSING', 'PENDING_DELIVERY', 'COMPLETED']);
      expect(pushedBySocket).toEqual(polled);
      expect(pushedByWebhook).toEqual(polled);
    } finally {
      socket.close();
    }
  });
});

async function waitFor(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('readings of what the seed leaves open (a fixture server)', () => {
  let fixture: Server;
  let reply: unknown;
  let fixtureAdapter: ProviderAdapter;

  beforeAll(async () => {
    fixture = createServer((_request, response) => response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(reply)));
    await new Promise<void>((resolve) => fixture.listen(0, '127.0.0.1', resolve));
    fixtureAdapter = createOzzobitAdapter({ url: `http://127.0.0.1:${(fixture.address() as AddressInfo).port}/api`, secretKey: SECRET_KEY });
  });
  afterAll(async () => {
    fixture.closeAllConnections();
    await new Promise((resolve) => fixture.close(resolve));
  });

  it.each([
    ['the order at the root (the seed)', { id: 'ozz-a', status: 'COMPLETED' }],
    ['the order inside data', { data: { id: 'ozz-a', status: 'COMPLETED' } }],
    ['inside data, without id', { data: { status: 'COMPLETED', network: 'tron' } }],
    ['at the root, without id', { status: 'COMPLETED' }],
    ['an id in another case', { id: 'OZZ-A', status: 'COMPLETED' }],
    ['a display field of another type', { id: 'ozz-a', status: 'COMPLETED', cryptoAmount: { value: 'lots' } }],
  ])('reads %s', async (_name, body) => {
    reply = body;
    expect(await fixtureAdapter.fetchOrder('ozz-a')).toMatchObject({ status: 'COMPLETED', phase: 'succeeded' });
  });

  it.each([
    ['an answer for another order', { id: 'ozz-b', status: 'COMPLETED' }, /answered for order ozz-b, not ozz-a/],
    ['inside data, for another order', { data: { id: 'ozz-b', status: 'COMPLETED' } }, /answered for order ozz-b/],
    ['a status over 64 characters', { id: 'ozz-a', status: 'C'.repeat(65) }, /status: status longer than 64 characters/],
    ['no status anywhere', { data: { id: 'ozz-a' } }, /status: Required/],
  ])('refuses %s, naming it', async (_name, body, message) => {
    reply = body;
    const error = await callError(fixtureAdapter.fetchOrder('ozz-a'));
    expect(error.kind).toBe('invalid_response');
    expect(error.message).toMatch(message);
  });
});
