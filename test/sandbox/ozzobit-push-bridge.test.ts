/**
 * The OZZOBiT socket.io bridge against the OZZOBiT simulator's socket.io namespace, with a stand-in
 * visibility list and a recording tracker (no Temporal server): what it subscribes and when,
 * resubscription after a dropped socket, and how it stops.
 */
import type { OrderTracker } from '../../client/order-tracker';
import { startOzzobitSandbox, type OzzobitSandbox } from '../../sandbox/ozzobit';
import { type OzzobitBridge, OzzobitSocketRefusedError, createOzzobitBridge } from '../../providers/ozzobit/ozzobit-bridge';
import type { PushLogger } from '../../providers/push/push-logger';
import { type VisibilityClient, runningOrders } from '../../workers/push/tracked-orders';
import type { Observation } from '../../domain/types';
import { eventually } from '../helpers/eventually';

const SECRET_KEY = 'bridge-secret';
const API_KEY = 'bridge-api-key';
const REFRESH_MS = 100;

let sandbox: OzzobitSandbox;
const bridges: OzzobitBridge[] = [];

beforeAll(async () => {
  sandbox = await startOzzobitSandbox({ secretKey: SECRET_KEY, apiKey: API_KEY });
});
afterAll(async () => {
  await Promise.all(bridges.map((bridge) => bridge.stop()));
  await sandbox.close();
});
afterEach(() => sandbox.clearFaults());

interface Harness {
  bridge: OzzobitBridge;
  run: Promise<void>;
  /** Orders the stand-in visibility says are running; change it to start or end orders. */
  running: Set<string>;
  pushes: { orderId: string; observation: Observation }[];
  log: { level: string; message: string }[];
  /** Make the visibility query fail. */
  visibilityDown: { value: boolean };
}

function startBridge(options: { apiKey?: string; wsUrl?: string; running?: string[]; pushDelayMs?: number } = {}): Harness {
  const running = new Set(options.running ?? []);
  const visibilityDown = { value: false };
  const pushes: Harness['pushes'] = [];
  const log: Harness['log'] = [];
  const logger: PushLogger = {
    info: (message) => void log.push({ level: 'info', message }),
    warn: (message) => void log.push({ level: 'warn', message }),
    error: (message) => void log.push({ level: 'error', message }),
  };
  const client = {
    workflow: {
      list: () =>
        (async function* () {
          if (visibilityDown.value) throw new Error('visibility unavailable');
          for (const orderId of [...running]) yield { workflowId: `order:ozzobit:${orderId}` };
        })(),
    },
  } as unknown as VisibilityClient;
  const tracker = {
    push: async (_provider: string, orderId: string, observation: Observation) => {
      if (options.pushDelayMs) await new Promise((resolve) => setTimeout(resolve, options.pushDelayMs));
      pushes.push({ orderId, observation });
      return { kind: 'signalled', workflowId: `order:ozzobit:${orderId}`, runId: 'r' };
    },
  } as unknown as Pick<OrderTracker, 'push'>;
  const bridge = createOzzobitBridge({
    wsUrl: options.wsUrl ?? sandbox.wsUrl,
    apiKey: options.apiKey ?? API_KEY,
    tracker,
    trackedOrders: runningOrders(client, 'ozzobit'),
    refreshMs: REFRESH_MS,
    logger,
    reconnectDelayMs: 50,
    reconnectDelayMaxMs: 200,
  });
  bridges.push(bridge);
  const run = bridge.run();
  run.catch(() => undefined); // observed by the tests that expect it to reject
  return { bridge, run, running, pushes, log, visibilityDown };
}

let counter = 0;
const orderId = (name: string) => `bridge-${name}-${process.pid}-${(counter += 1)}`;
const statusesOf = (harness: Harness, id: string) => harness.pushes.filter((push) => push.orderId === id).map((push) => push.observation.status);
const subscribed = (harness: Harness, id: string) => () => harness.bridge.state().acknowledged.includes(id);

test('subscribes tracked orders and pushes their updates, normalised like a poll', async () => {
  const id = orderId('tracked');
  sandbox.addOrder({ id, steps: [{ status: 'PROCESSING' }] });
  const harness = startBridge({ running: [id] });
  await eventually('subscribed', subscribed(harness, id), { timeoutMs: 5_000, intervalMs: 20 });
  sandbox.addOrder({ id, steps: [{ status: 'PENDING_DELIVERY', fields: { transactionHash: '0xabc' } }] });
  await eventually('the update pushed', () => statusesOf(harness, id).includes('PENDING_DELIVERY'), { timeoutMs: 5_000, intervalMs: 20 });
  expect(harness.pushes.find((push) => push.orderId === id)?.observation).toMatchObject({
    status: 'PENDING_DELIVERY',
    phase: 'in_flight',
    rank: 2,
    details: { transactionHash: '0xabc', cryptoCurrency: 'USDT' },
  });
  expect(harness.bridge.state()).toMatchObject({ connected: true, connections: 1, tracked: [id] });
});

test('an order that starts later is subscribed at the next refresh; one that ends is unsubscribed', async () => {
  const first = orderId('first');
  const later = orderId('later');
  sandbox.addOrder({ id: first, steps: [{ status: 'PROCESSING' }] });
  sandbox.addOrder({ id: later, steps: [{ status: 'PROCESSING' }] });
  const harness = startBridge({ running: [first] });
  await eventually('first subscribed', subscribed(harness, first), { timeoutMs: 5_000, intervalMs: 20 });
  sandbox.addOrder({ id: later, steps: [{ status: 'PENDING_DELIVERY' }] });
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(statusesOf(harness, later)).toEqual([]); // not tracked: not subscribed

  harness.running.add(later);
  harness.running.delete(first);
  await eventually('later subscribed', subscribed(harness, later), { timeoutMs: 5_000, intervalMs: 20 });
  expect(harness.bridge.state().tracked).toEqual([later]);
  sandbox.addOrder({ id: later, steps: [{ status: 'COMPLETED' }] });
  sandbox.addOrder({ id: first, steps: [{ status: 'COMPLETED' }] });
  await eventually('later pushed', () => statusesOf(harness, later).includes('COMPLETED'), { timeoutMs: 5_000, intervalMs: 20 });
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(statusesOf(harness, first)).toEqual([]);
  const socketPushes = sandbox.pushes(first).filter((entry) => entry.channel === 'socket' && entry.status === 'COMPLETED');
  expect(socketPushes.every((entry) => entry.recipients === 0)).toBe(true);
});

test('a dropped socket reconnects, resubscribes every tracked order, and updates flow again', async () => {
  const id = orderId('dropped');
  sandbox.addOrder({ id, steps: [{ status: 'PROCESSING' }] });
  const harness = startBridge({ running: [id] });
  await eventually('subscribed', subscribed(harness, id), { timeoutMs: 5_000, intervalMs: 20 });
  sandbox.setFault({ kind: 'drop_socket', count: 1 }, id);
  sandbox.addOrder({ id, steps: [{ status: 'PENDING_DELIVERY' }] }); // dropped instead of delivered
  await eventually('reconnected and resubscribed', () => harness.bridge.state().connections === 2 && subscribed(harness, id)(), {
    timeoutMs: 5_000,
    intervalMs: 20,
  });
  expect(harness.log.some((line) => line.level === 'warn' && /connection lost/.test(line.message))).toBe(true);
  sandbox.addOrder({ id, steps: [{ status: 'COMPLETED' }] });
  await eventually('the update after the drop', () => statusesOf(harness, id).includes('COMPLETED'), { timeoutMs: 5_000, intervalMs: 20 });
  expect(statusesOf(harness, id)).not.toContain('PENDING_DELIVERY');
});

test('a visibility outage keeps the current subscriptions', async () => {
  const id = orderId('outage');
  sandbox.addOrder({ id, steps: [{ status: 'PROCESSING' }] });
  const harness = startBridge({ running: [id] });
  await eventually('subscribed', subscribed(harness, id), { timeoutMs: 5_000, intervalMs: 20 });
  harness.visibilityDown.value = true;
  await eventually('the outage logged', () => harness.log.some((line) => /could not list/.test(line.message)), { timeoutMs: 5_000, intervalMs: 20 });
  sandbox.addOrder({ id, steps: [{ status: 'FAILED' }] });
  await eventually('still pushed', () => statusesOf(harness, id).includes('FAILED'), { timeoutMs: 5_000, intervalMs: 20 });
});

test('a wrong apiKey: run() rejects at once with an error naming OZZOBIT_API_KEY, and nothing retries', async () => {
  const harness = startBridge({ apiKey: 'not-the-key' });
  const error = await harness.run.then(() => undefined, (reason: unknown) => reason);
  expect(error).toBeInstanceOf(OzzobitSocketRefusedError);
  expect(String((error as Error).message)).toMatch(/OZZOBiT refused the socket\.io connection .*"unauthorized".*check OZZOBIT_API_KEY/);
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(harness.bridge.state()).toMatchObject({ connected: false, connections: 0 });
  expect(harness.log.filter((line) => line.level !== 'info')).toEqual([{ level: 'error', message: (error as Error).message }]);
  await harness.bridge.stop(); // harmless after a failure
});

test('a URL naming no namespace OZZOBiT serves is refused too, pointing at OZZOBIT_WS_URL', async () => {
  const harness = startBridge({ wsUrl: sandbox.wsUrl.replace(/\/ws$/, '/nope') });
  await expect(harness.run).rejects.toThrow(/namespace.*check OZZOBIT_WS_URL/);
});

test('an unreachable server is retried, not fatal; stop() ends run()', async () => {
  const harness = startBridge({ wsUrl: 'ws://127.0.0.1:1/ws' });
  await eventually('retries logged', () => harness.log.filter((line) => /cannot reach/.test(line.message)).length >= 2, { timeoutMs: 5_000, intervalMs: 20 });
  await harness.bridge.stop();
  await expect(harness.run).resolves.toBeUndefined();
});

test('stop() waits for pushes already read from the socket', async () => {
  const id = orderId('stop');
  sandbox.addOrder({ id, steps: [{ status: 'PROCESSING' }] });
  const harness = startBridge({ running: [id], pushDelayMs: 300 });
  await eventually('subscribed', subscribed(harness, id), { timeoutMs: 5_000, intervalMs: 20 });
  sandbox.addOrder({ id, steps: [{ status: 'COMPLETED' }] });
  await eventually('the update sent', () => sandbox.pushes(id).some((entry) => entry.channel === 'socket' && entry.status === 'COMPLETED'), {
    timeoutMs: 5_000,
    intervalMs: 10,
  });
  await new Promise((resolve) => setTimeout(resolve, 50)); // on the wire
  await harness.bridge.stop();
  expect(statusesOf(harness, id)).toEqual(['COMPLETED']);
  await expect(harness.run).resolves.toBeUndefined();
});
