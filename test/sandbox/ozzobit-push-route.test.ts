/**
 * `POST /webhooks/ozzobit` on the real ingress over HTTP on 127.0.0.1 (fastify's inject needs an
 * ESM-only module jest cannot load), with a recording tracker instead of Temporal: what is refused
 * never reaches the tracker, and what is accepted reaches it normalised.
 */
import { createHmac } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { normalizeOzzobitOrder } from '../../providers/ozzobit/ozzobit-normalize';
import { TemporalUnreachableError } from '../../client/connect';
import type { OrderTracker, PushResponse } from '../../client/order-tracker';
import { buildIngress } from '../../workers/ingress';
import type { PushLogger } from '../../providers/push/push-logger';
import { ozzobitWebhookRoute } from '../../providers/ozzobit/ozzobit-push';
import { webhookRoute } from '../../workers/push/webhook-routes';
import { createOzzobitSignatureVerifier } from '../../providers/ozzobit/ozzobit-webhook-verifier';
import type { Observation } from '../../domain/types';

const SECRET = 'whsec-route';
const TOKEN = 'api-token';
const sign = (body: string | Buffer, secret = SECRET) => createHmac('sha256', secret).update(body).digest('hex');
const event = (status: string, id = 'ozz-route-1') => JSON.stringify({ eventName: `ORDER_${status}`, data: { id, status, cryptoCurrency: 'USDT' } });

let pushes: { provider: string; orderId: string; observation: Observation }[];
let answer: () => Promise<PushResponse>;
let tracks: number;
let app: FastifyInstance;
let base: string;
const warnings: string[] = [];
const quiet: PushLogger = { info: () => undefined, warn: (message) => void warnings.push(message), error: (message) => void warnings.push(message) };

beforeEach(async () => {
  pushes = [];
  tracks = 0;
  answer = async () => ({ kind: 'signalled', workflowId: 'order:ozzobit:x', runId: 'r' });
  const tracker = {
    push: async (provider: string, orderId: string, observation: Observation) => {
      pushes.push({ provider, orderId, observation });
      return answer();
    },
    track: async () => {
      tracks += 1;
      return { kind: 'tracking', workflowId: 'w', runId: 'r' };
    },
  } as unknown as OrderTracker;
  app = buildIngress({
    tracker,
    token: TOKEN,
    webhooks: [webhookRoute({ provider: 'ozzobit', route: ozzobitWebhookRoute(createOzzobitSignatureVerifier(SECRET)), tracker, logger: quiet })],
  });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterEach(() => app.close());

interface Answer {
  statusCode: number;
  json(): Record<string, unknown>;
}

async function request(method: string, path: string, body: string, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(`${base}${path}`, { method, body, headers });
  const text = await response.text();
  return { statusCode: response.status, json: () => JSON.parse(text) as Record<string, unknown> };
}

function post(body: string, headers: Record<string, string> = {}): Promise<Answer> {
  return request('POST', '/webhooks/ozzobit', body, { 'content-type': 'application/json', ...headers });
}

test('a signed ORDER_* event is normalised like a poll and pushed; 200 { received: true }', async () => {
  const body = event('PENDING_DELIVERY');
  const response = await post(body, { 'x-OZZOBiT-signature': sign(body) });
  expect(response.statusCode).toBe(200);
  expect(response.json()).toEqual({ received: true, orderId: 'ozz-route-1', status: 'PENDING_DELIVERY', result: 'signalled' });
  expect(pushes).toHaveLength(1);
  expect(pushes[0]).toMatchObject({ provider: 'ozzobit', orderId: 'ozz-route-1' });
  const { observation } = pushes[0]!;
  expect(observation).toEqual(normalizeOzzobitOrder({ id: 'ozz-route-1', status: 'PENDING_DELIVERY', cryptoCurrency: 'USDT' }, 0));
});

test('a push the ledger drops (final order) is still a 200, so OZZOBiT stops retrying it', async () => {
  answer = async () => ({ kind: 'ignored', workflowId: 'order:ozzobit:x', reason: 'order already ended succeeded' });
  const body = event('PROCESSING');
  const response = await post(body, { 'x-ozzobit-signature': sign(body) });
  expect(response.statusCode).toBe(200);
  expect(response.json()).toMatchObject({ received: true, result: 'ignored', reason: 'order already ended succeeded' });
});

test.each([
  ['text/plain', 'text/plain'],
  ['a charset', 'application/json; charset=utf-8'],
  ['an odd type', 'application/x-www-form-urlencoded'],
])('the signature is checked over the raw bytes whatever the content type (%s)', async (_name, contentType) => {
  const body = `${event('COMPLETED')}\n`; // a trailing newline: a re-serialised body would not match
  const response = await post(body, { 'x-ozzobit-signature': sign(body), 'content-type': contentType });
  expect(response.statusCode).toBe(200);
  expect(pushes).toHaveLength(1);
});

const body = event('COMPLETED');
test.each([
  ['no signature', body, {}],
  ['a forged signature (another secret)', body, { 'x-ozzobit-signature': sign(body, 'attacker') }],
  ['a tampered body', event('COMPLETED', 'ozz-someone-else'), { 'x-ozzobit-signature': sign(body) }],
  ['a signature of the wrong length', body, { 'x-ozzobit-signature': sign(body).slice(2) }],
  ['a non-hex signature', body, { 'x-ozzobit-signature': 'x'.repeat(64) }],
  ['an empty body', '', { 'x-ozzobit-signature': sign(body) }],
])('%s → 401 and nothing pushed', async (_name, payload, headers) => {
  const response = await post(payload, headers);
  expect(response.statusCode).toBe(401);
  expect(String(response.json().error)).toMatch(/webhook not verified/);
  expect(pushes).toHaveLength(0);
});

test('signed, an event that is not about an order → 200 as the seed’s switch answers, nothing pushed', async () => {
  const payload = JSON.stringify({ eventName: 'KYC_APPROVED', data: { id: 'ozz-1', status: 'APPROVED' } });
  const response = await post(payload, { 'x-ozzobit-signature': sign(payload) });
  expect(response.statusCode).toBe(200);
  expect(response.json()).toEqual({ received: true, ignored: 'not an order event: KYC_APPROVED' });
  expect(pushes).toHaveLength(0);
});

test('signed, an order event with envelope keys the seed does not read → pushed', async () => {
  const payload = JSON.stringify({ eventName: 'ORDER_COMPLETED', data: { id: 'ozz-1', status: 'COMPLETED' }, webhookId: 'w-1', test: true });
  const response = await post(payload, { 'x-ozzobit-signature': `sha256=${sign(payload)}` });
  expect(response.statusCode).toBe(200);
  expect(pushes).toHaveLength(1);
});

test.each([
  ['not JSON', 'ORDER_COMPLETED ozz-1', /not JSON/],
  ['an order without status', JSON.stringify({ eventName: 'ORDER_COMPLETED', data: { id: 'ozz-1' } }), /data.status/],
  ['a bad order id', event('COMPLETED', 'a/b'), /invalid order id/],
])('signed but %s → 400 and nothing pushed', async (_name, payload, message) => {
  const response = await post(payload, { 'x-ozzobit-signature': sign(payload) });
  expect(response.statusCode).toBe(400);
  expect(String(response.json().error)).toMatch(message);
  expect(pushes).toHaveLength(0);
});

test('Temporal unreachable → 503, so OZZOBiT retries the delivery', async () => {
  answer = async () => {
    throw new TemporalUnreachableError('nothing answers at 127.0.0.1:7233');
  };
  const payload = event('COMPLETED');
  const response = await post(payload, { 'x-ozzobit-signature': sign(payload) });
  expect(response.statusCode).toBe(503);
  expect(warnings.some((line) => line.includes('not delivered'))).toBe(true);
});

test('a body over the ingress limit → 413 before any verification', async () => {
  const payload = JSON.stringify({ eventName: 'ORDER_COMPLETED', data: { id: 'ozz-1', status: 'COMPLETED', padding: 'x'.repeat(300_000) } });
  const response = await post(payload, { 'x-ozzobit-signature': sign(payload) });
  expect(response.statusCode).toBe(413);
  expect(pushes).toHaveLength(0);
});

test('the webhook route needs no bearer token, and the HTTP API keeps its JSON parsing', async () => {
  const signed = event('PROCESSING');
  expect((await post(signed, { 'x-ozzobit-signature': sign(signed) })).statusCode).toBe(200);
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const api = await request('POST', '/orders', JSON.stringify({ provider: 'ozzobit', orderId: 'ozz-api' }), headers);
  expect(api.statusCode).toBe(202);
  expect(tracks).toBe(1);
  expect((await request('POST', '/orders', '{nope', headers)).statusCode).toBe(400);
});
