import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Ledger } from '../../storage/ledger/ledger';
import { createOzzobitAdapter } from '../../providers/ozzobit/ozzobit-client';
import { verifyOzzobitSignature } from '../../providers/ozzobit/ozzobit-webhook';
import { parseOzzobitWebhook } from '../../providers/ozzobit/ozzobit-events';
import { OrderTracker } from '../../client/order-tracker';
import { startOzzobitSandbox } from '../../sandbox/ozzobit';
import type { OzzobitSandbox } from '../../sandbox/ozzobit';
import { orderWorkflowId } from '../../domain/ids';
import { statusPushedSignal } from '../../workflows/messages';
import type { Progress, TrackOrderResult } from '../../domain/types';
import { createDevEnvironment } from '../helpers/environments';
import { temporaryLedger, uniqueId, withWorkers } from '../helpers/worker-stack';
import type { StackOptions } from '../helpers/worker-stack';
import { ScenarioOutcomes, type Settled, settle, sleep, waitFor } from '../helpers/scenarios';

const SECRET_KEY = 'integration-secret';
const API_KEY = 'integration-socket-key';
const WEBHOOK_SECRET = 'integration-webhook-secret';
const TASK_QUEUE = uniqueId('ozzobit-integration');
const WRONG_KEY_TASK_QUEUE = uniqueId('ozzobit-wrong-key');

let environment: TestWorkflowEnvironment;
let sandbox: OzzobitSandbox;
let ledger: Ledger;
let tracker: OrderTracker;
let wrongKeyTracker: OrderTracker;
let receiver: Server;
let stopWorkers: () => void;
let workersDone: Promise<unknown>;
/** Orders whose webhooks the test's stand-in ingress forwards to the workflow. */
const forwarded = new Set<string>();
const signalled: string[] = [];

const scenarioOutcomes = new ScenarioOutcomes();
const outcomeOf = <T>(scenario: Promise<Settled<T>> | undefined) => scenarioOutcomes.outcomeOf(scenario);

interface Finished {
  orderId: string;
  result: TrackOrderResult;
  progress: Progress;
}

async function trackToEnd(orderId: string, maxWaitMs?: number): Promise<Finished> {
  await tracker.track('ozzobit', orderId, maxWaitMs === undefined ? {} : { maxWaitMs });
  const result = await tracker.result('ozzobit', orderId);
  return { orderId, result, progress: await tracker.progress('ozzobit', orderId) };
}

function playLifecycle(prefix: string, verdict: string): Promise<Finished> {
  const orderId = uniqueId(prefix);
  sandbox.addOrder({
    id: orderId,
    steps: [
      { status: 'PROCESSING', durationMs: 6_000 },
      { status: 'PENDING_DELIVERY', durationMs: 6_000, fields: { transactionHash: '0xdelivered' } },
      { status: verdict },
    ],
  });
  return trackToEnd(orderId);
}

function playFailure(status: string): Promise<Finished> {
  const orderId = uniqueId(status.toLowerCase());
  sandbox.addOrder({ id: orderId, steps: [{ status: 'PROCESSING', durationMs: 6_000 }, { status }] });
  return trackToEnd(orderId);
}

function playTimeout(): Promise<Finished> {
  const orderId = uniqueId('timeout');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'PENDING_DELIVERY' }] });
  return trackToEnd(orderId, 8_000);
}

async function playCancel() {
  const orderId = uniqueId('cancel');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'PROCESSING' }] });
  await tracker.track('ozzobit', orderId);
  await waitFor(() => tracker.progress('ozzobit', orderId), (progress) => progress.polls >= 1);
  const requestsBeforeCancel = sandbox.requests(orderId).length;
  await tracker.cancel('ozzobit', orderId, 'merchant closed the order');
  const result = await tracker.result('ozzobit', orderId);
  return { orderId, result, requestsBeforeCancel, requestsAfterCancel: sandbox.requests(orderId).length };
}

/** Pushes every status, each change followed by the previous status again (out of order). */
async function playPushed(): Promise<Finished> {
  const orderId = uniqueId('pushed');
  forwarded.add(orderId);
  sandbox.setFault({ kind: 'stale_push' }, orderId);
  sandbox.addOrder({
    id: orderId,
    steps: [{ status: 'PROCESSING', durationMs: 6_000 }, { status: 'PENDING_DELIVERY', durationMs: 6_000 }, { status: 'COMPLETED' }],
  });
  return trackToEnd(orderId);
}

async function playWrongCredentials() {
  const orderId = uniqueId('wrong-key');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'PROCESSING', durationMs: 5_000 }, { status: 'COMPLETED' }] });
  await wrongKeyTracker.track('ozzobit', orderId);
  const progress = await waitFor(() => wrongKeyTracker.progress('ozzobit', orderId), (snapshot) => snapshot.attention !== null);
  await sleep(7_000); // past the script's COMPLETED: still nothing may be recorded
  const later = await wrongKeyTracker.progress('ozzobit', orderId);
  const row = await ledger.find('ozzobit', orderId);
  await environment.client.workflow.getHandle(orderWorkflowId('ozzobit', orderId)).terminate('test over');
  return { orderId, progress, later, row };
}

/** The stand-in ingress: verify the signature over the raw bytes, parse, normalise, signal. */
async function startReceiver(): Promise<string> {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      if (!verifyOzzobitSignature(raw, request.headers['x-ozzobit-signature'] as string | undefined, WEBHOOK_SECRET)) {
        response.writeHead(401).end();
        return;
      }
      // Read as the ingress's route reads it.
      const webhook = parseOzzobitWebhook(raw, Date.now());
      response.writeHead(webhook.ok ? 200 : 400).end();
      if (!webhook.ok || !forwarded.has(webhook.orderId)) return;
      const { orderId, observation } = webhook;
      const handle = environment.client.workflow.getHandle(orderWorkflowId('ozzobit', orderId));
      // Before tracking starts there is nobody to tell (the real ingress will signal-with-start).
      handle.signal(statusPushedSignal, observation).then(
        () => signalled.push(`${orderId} ${observation.status}`),
        () => undefined,
      );
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/OZZOBiT-webhook`;
}

/** Runs a worker stack until `stopped`; `ready` resolves once its workers run (rejects if they fail first). */
function startStack(options: StackOptions, stopped: Promise<void>): { ready: Promise<void>; done: Promise<void> } {
  let markReady!: () => void;
  const running = new Promise<void>((resolve) => (markReady = resolve));
  const done = withWorkers(options, async () => {
    markReady();
    await stopped;
  });
  const stoppedEarly = done.then(() => Promise.reject(new Error('workers stopped before they ran')));
  stoppedEarly.catch(() => undefined);
  return { ready: Promise.race([running, stoppedEarly]), done };
}

const scenarios: {
  completed?: Promise<Settled<Finished>>;
  failed?: Promise<Settled<Finished>>;
  cancelled?: Promise<Settled<Finished>>;
  failedAfterDelivery?: Promise<Settled<Finished>>;
  timeout?: Promise<Settled<Finished>>;
  pushed?: Promise<Settled<Finished>>;
  cancel?: Promise<Settled<Awaited<ReturnType<typeof playCancel>>>>;
  wrongCredentials?: Promise<Settled<Awaited<ReturnType<typeof playWrongCredentials>>>>;
} = {};

beforeAll(async () => {
  environment = await createDevEnvironment();
  const webhookUrl = await startReceiver();
  sandbox = await startOzzobitSandbox({ secretKey: SECRET_KEY, apiKey: API_KEY, webhook: { url: webhookUrl, secret: WEBHOOK_SECRET } });
  ledger = (await temporaryLedger()).ledger;
  tracker = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE, ledger });
  wrongKeyTracker = new OrderTracker({ client: environment.client, taskQueue: WRONG_KEY_TASK_QUEUE, ledger });
  const stopped = new Promise<void>((resolve) => (stopWorkers = resolve));
  const adapter = (secretKey: string) => createOzzobitAdapter({ url: sandbox.url, secretKey, requestTimeoutMs: 5_000 });
  const connection = environment.nativeConnection;
  const stacks = [
    startStack({ connection, taskQueue: TASK_QUEUE, providers: { ozzobit: adapter(SECRET_KEY) }, ledger }, stopped),
    startStack({ connection, taskQueue: WRONG_KEY_TASK_QUEUE, providers: { ozzobit: adapter(API_KEY) }, ledger }, stopped),
  ];
  workersDone = Promise.all(stacks.map((stack) => stack.done));
  scenarioOutcomes.watch(workersDone);
  // Scripts run on the wall clock from addOrder: start them once the workers poll, not while they bundle.
  await Promise.all(stacks.map((stack) => stack.ready));
  scenarios.completed = settle(playLifecycle('completed', 'COMPLETED'));
  scenarios.failedAfterDelivery = settle(playLifecycle('failed-late', 'FAILED'));
  scenarios.failed = settle(playFailure('FAILED'));
  scenarios.cancelled = settle(playFailure('CANCELLED'));
  scenarios.timeout = settle(playTimeout());
  scenarios.pushed = settle(playPushed());
  scenarios.cancel = settle(playCancel());
  scenarios.wrongCredentials = settle(playWrongCredentials());
}, 120_000);

afterAll(async () => {
  stopWorkers?.();
  await workersDone?.catch(() => undefined);
  await sandbox?.close();
  receiver?.closeAllConnections();
  await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
  await ledger?.close();
  await environment?.teardown();
});

test('an order goes PROCESSING → PENDING_DELIVERY → COMPLETED and ends succeeded, recorded once', async () => {
  const { orderId, result, progress } = await outcomeOf(scenarios.completed);
  expect(result).toMatchObject({ outcome: 'succeeded', status: 'COMPLETED', recorded: true });
  expect(result.details).toMatchObject({ transactionHash: '0xdelivered', cryptoCurrency: 'USDT', network: 'ethereum' });
  expect(progress.transitions.map((transition) => transition.status)).toEqual(['PROCESSING', 'PENDING_DELIVERY', 'COMPLETED']);
  expect(await ledger.find('ozzobit', orderId)).toMatchObject({ outcome: 'succeeded', final: true, status: 'COMPLETED' });
}, 60_000);

test.each([
  ['FAILED', () => scenarios.failed],
  ['CANCELLED', () => scenarios.cancelled],
  ['FAILED after PENDING_DELIVERY', () => scenarios.failedAfterDelivery],
])('an order that ends %s ends failed, recorded as final', async (name, scenario) => {
  const status = name.split(' ')[0]!;
  const { orderId, result } = await outcomeOf(scenario());
  expect(result).toMatchObject({ outcome: 'failed', status, phase: 'failed' });
  expect(await ledger.find('ozzobit', orderId)).toMatchObject({ outcome: 'failed', final: true, status });
}, 60_000);

test('an order still in flight at its max wait ends timed_out, recorded as not final', async () => {
  const { orderId, result } = await outcomeOf(scenarios.timeout);
  expect(result).toMatchObject({ outcome: 'timed_out', status: 'PENDING_DELIVERY' });
  const elapsed = Date.parse(result.finishedAt) - Date.parse(result.startedAt);
  expect(elapsed).toBeGreaterThanOrEqual(8_000);
  // The last poll at the deadline waits at most the 5 s floor after the one before.
  expect(elapsed).toBeLessThan(8_000 + 5_000 + 5_000);
  expect(await ledger.find('ozzobit', orderId)).toMatchObject({ outcome: 'timed_out', final: false });
}, 60_000);

test('cancel ends tracking_cancelled without another poll', async () => {
  const { orderId, result, requestsBeforeCancel, requestsAfterCancel } = await outcomeOf(scenarios.cancel);
  expect(result.outcome).toBe('tracking_cancelled');
  expect(requestsAfterCancel).toBe(requestsBeforeCancel);
  expect(await ledger.find('ozzobit', orderId)).toMatchObject({ outcome: 'tracking_cancelled', final: false });
}, 60_000);

test('webhooks normalised like polls reach the workflow; the out-of-order ones never step it back', async () => {
  const { orderId, result, progress } = await outcomeOf(scenarios.pushed);
  expect(result).toMatchObject({ outcome: 'succeeded', status: 'COMPLETED' });
  expect(result.pushes).toBeGreaterThanOrEqual(2);
  expect(progress.transitions.map((transition) => transition.status)).toEqual(['PROCESSING', 'PENDING_DELIVERY', 'COMPLETED']);
  expect(progress.transitions.some((transition) => transition.source === 'push')).toBe(true);
  // The simulator re-sent older statuses after newer ones, and the workflow was told about them.
  expect(sandbox.webhooks(orderId).filter((entry) => entry.replay === 'stale').length).toBeGreaterThanOrEqual(1);
  expect(signalled.filter((entry) => entry.startsWith(orderId)).length).toBeGreaterThanOrEqual(3);
}, 60_000);

test('refused credentials: the simulator answers 401, the order asks for attention, nothing is recorded', async () => {
  const { orderId, progress, later, row } = await outcomeOf(scenarios.wrongCredentials);
  expect(progress).toMatchObject({ attention: 'credentials refused', outcome: null, status: null, polls: 0 });
  expect(later).toMatchObject({ attention: 'credentials refused', outcome: null });
  const requests = sandbox.requests(orderId);
  expect(requests.length).toBeGreaterThanOrEqual(1);
  expect(requests.every((request) => request.httpStatus === 401)).toBe(true);
  expect(row).toBeUndefined();
}, 60_000);

test('every order kept the 5 s floor, pushes included: no two requests for one order less than 5 s apart', async () => {
  await Promise.race([Promise.all(Object.values(scenarios)), scenarioOutcomes.workerFailure]);
  const byOrder = new Map<string, number[]>();
  for (const request of sandbox.requests()) {
    if (request.orderId === undefined) continue;
    byOrder.set(request.orderId, [...(byOrder.get(request.orderId) ?? []), request.at]);
  }
  expect(byOrder.size).toBeGreaterThanOrEqual(8);
  const gaps = [...byOrder.values()].flatMap((times) => times.slice(1).map((time, index) => time - times[index]!));
  expect(gaps.length).toBeGreaterThanOrEqual(8);
  expect(Math.min(...gaps)).toBeGreaterThanOrEqual(5_000);
}, 60_000);
