/**
 * The HTTP API on the ingress, over real HTTP against the dev server and the Magma simulator:
 * track, progress, cancel, health; bad bodies, unknown providers and a wrong token are refused with
 * JSON naming the problem, and start nothing. A process's SANDBOX_TIME_SCALE reaches the orders it
 * starts, whether by track or by a push that arrives first.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import type { Ledger } from '../../storage/ledger/ledger';
import { toMagmaObservation } from '../../providers/magma/magma-client';
import { OrderTracker, trackerFromConfig } from '../../client/order-tracker';
import { loadConfig } from '../../common/config';
import { startMagmaSandbox, type MagmaSandbox } from '../../sandbox/magma';
import { buildIngress } from '../../workers/ingress';
import { createDevEnvironment } from '../helpers/environments';
import { eventually } from '../helpers/eventually';
import { magmaProviders, temporaryLedger, uniqueId } from '../helpers/worker-stack';
import { startWorkers, type RunningWorkers } from '../helpers/running-workers';

const API_KEY = 'ingress-api-key';
const TOKEN = 'ingress-token-123';
const TASK_QUEUE = 'ingress-api-test';

let environment: TestWorkflowEnvironment;
let sandbox: MagmaSandbox;
let ledger: Ledger;
let workers: RunningWorkers;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  environment = await createDevEnvironment();
  sandbox = await startMagmaSandbox({ apiKey: API_KEY });
  ledger = (await temporaryLedger()).ledger;
  workers = await startWorkers({ connection: environment.nativeConnection, taskQueue: TASK_QUEUE, providers: magmaProviders(sandbox.url, API_KEY), ledger });
  const tracker = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE, ledger });
  app = buildIngress({ tracker, token: TOKEN });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app?.close();
  await workers?.stop();
  await sandbox?.close();
  await ledger?.close();
  await environment?.teardown();
});

async function call(method: string, path: string, body?: unknown, token: string | null = TOKEN) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

test('GET /healthz answers without a token', async () => {
  expect(await call('GET', '/healthz', undefined, null)).toEqual({ status: 200, json: { ok: true } });
});

test('POST /orders tracks, GET shows progress, POST cancel ends it tracking_cancelled', async () => {
  const orderId = uniqueId('api');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION' }] });
  const started = await call('POST', '/orders', { provider: 'magma', orderId, maxWait: '30m', reference: 'cart-1' });
  expect(started.status).toBe(202);
  expect(started.json).toMatchObject({ kind: 'tracking', workflowId: `order:magma:${orderId}` });

  const again = await call('POST', '/orders', { provider: 'magma', orderId });
  expect(again.json.runId).toBe(started.json.runId);

  await eventually('the first poll', async () => (await call('GET', `/orders/magma/${orderId}`)).json.polls === 1);
  const progress = await call('GET', `/orders/magma/${orderId}`);
  expect(progress).toMatchObject({ status: 200, json: { provider: 'magma', orderId, reference: 'cart-1', status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION' } });

  expect(await call('POST', `/orders/magma/${orderId}/cancel`, { reason: 'merchant asked' })).toEqual({ status: 202, json: { cancelled: true } });
  // The outcome shows as soon as the loop ends; the ledger row once recordOutcome has run.
  await eventually('the cancelled outcome recorded', async () => {
    const { json } = await call('GET', `/orders/magma/${orderId}`);
    return json.outcome === 'tracking_cancelled' && (json.fulfilment as { recorded?: boolean } | undefined)?.recorded === true;
  });
  expect(await ledger.find('magma', orderId)).toMatchObject({ outcome: 'tracking_cancelled' });
});

test.each([
  ['no token', 'POST', '/orders', { provider: 'magma', orderId: 'x' }, null, 401, /bearer token/],
  ['a wrong token', 'GET', '/orders/magma/x', undefined, 'wrong', 401, /bearer token/],
  ['a body that is not JSON', 'POST', '/orders', '{nope', TOKEN, 400, /JSON/i],
  ['a body missing the order id', 'POST', '/orders', { provider: 'magma' }, TOKEN, 400, /orderId/],
  ['an unknown field', 'POST', '/orders', { provider: 'magma', orderId: 'x', colour: 'red' }, TOKEN, 400, /colour/],
  ['an unknown provider', 'POST', '/orders', { provider: 'binance', orderId: 'x' }, TOKEN, 400, /unknown provider "binance"/],
  ['a bad order id', 'POST', '/orders', { provider: 'magma', orderId: 'a b' }, TOKEN, 400, /invalid order id/],
  ['a bad max wait', 'POST', '/orders', { provider: 'magma', orderId: 'x', maxWait: 'soon' }, TOKEN, 400, /invalid maxWait/],
  ['a negative max wait', 'POST', '/orders', { provider: 'magma', orderId: 'x', maxWait: -5 }, TOKEN, 400, /invalid maxWait/],
  ['an unknown provider in the path', 'GET', '/orders/binance/x', undefined, TOKEN, 400, /unknown provider/],
  ['an order nobody tracks', 'GET', '/orders/magma/never-tracked', undefined, TOKEN, 404, /no order is tracked/],
  ['cancel of an order nobody tracks', 'POST', '/orders/magma/never-tracked/cancel', {}, TOKEN, 404, /no order is tracked/],
  ['an unknown route', 'GET', '/nothing-here', undefined, TOKEN, 404, /no route/],
])('%s is refused with a JSON error naming it', async (_name, method, path, body, token, status, message) => {
  const response = await call(method, path, body, token);
  expect(response.status).toBe(status);
  expect(String(response.json.error)).toMatch(message);
});

test('refused requests start nothing', async () => {
  await call('POST', '/orders', { provider: 'magma', orderId: 'refused-order' }, 'wrong');
  await call('POST', '/orders', { provider: 'magma', orderId: 'refused-order', maxWait: 'soon' });
  const described = await environment.client.workflow.getHandle('order:magma:refused-order').describe().catch(() => undefined);
  expect(described).toBeUndefined();
  expect(sandbox.requests('refused-order')).toHaveLength(0);
});

test('with SANDBOX_TIME_SCALE, orders started by track and by a first push both carry the scaled floor', async () => {
  const config = loadConfig({ TEMPORAL_TASK_QUEUE: TASK_QUEUE, MAGMA_URL: sandbox.url, MAGMA_API_KEY: API_KEY, SANDBOX_TIME_SCALE: '5' });
  const scaled = trackerFromConfig(config, environment.client, ledger);
  const tracked = uniqueId('scaled-track');
  const pushed = uniqueId('scaled-push');
  for (const orderId of [tracked, pushed]) sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION' }] });

  await scaled.track('magma', tracked);
  const observation = toMagmaObservation({ status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION' } as never, Date.now());
  expect(await scaled.push('magma', pushed, observation)).toMatchObject({ kind: 'signalled' });

  for (const orderId of [tracked, pushed]) {
    const handle = environment.client.workflow.getHandle(`order:magma:${orderId}`);
    const history = await handle.fetchHistory();
    const [input] = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
    expect(defaultPayloadConverter.fromPayload(input as never)).toMatchObject({ orderId, settings: { minRequestGapMs: 1_000, attentionRecheckMs: 60_000 } });
    await handle.signal('cancel', { reason: 'test done' });
  }
});
