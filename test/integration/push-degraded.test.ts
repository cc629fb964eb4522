/**
 * A broken push channel degrades, it does not stop anything (issue 15): the real ingress with a
 * wrong Houdini secret and OZZOBiT webhooks configured that never arrive, the real workers with push
 * settings (PUSH_FALLBACK_POLL 2 min) reading the push channels' states from the shared SQLite
 * database, the simulators over real HTTP and WebSocket, the dev server.
 *
 * Evidence: the simulator's handshake log (one refused handshake, no retries), /healthz, the HTTP
 * API and the webhook route answering, the store the workers read, and each order's planned next
 * poll (`nextPollAt - lastPolledAt`: its status cadence, not the 2-minute fallback).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { fetch } from 'undici';
import { createActivities } from '../../activities';
import type { Ledger } from '../../storage/ledger/ledger';
import { openDatabase } from '../../storage/open-database';
import { createProviders } from '../../providers/registry';
import type { PushChannelStore } from '../../storage/push-channels/push-channel-store';
import { OrderTracker } from '../../client/order-tracker';
import { loadConfig } from '../../common/config';
import { startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack';
import { type RunningIngress, startIngress } from '../../workers/run-ingress';
import { createWorkers, runWorkers } from '../../workers/worker';
import type { Progress } from '../../domain/types';
import { createDevEnvironment } from '../helpers/environments';
import { eventually } from '../helpers/eventually';
import { uniqueId, workflowBundle } from '../helpers/worker-stack';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FALLBACK_MS = 120_000;
const TEST_TIMEOUT_MS = 120_000;

let environment: TestWorkflowEnvironment;
let stack: SandboxStack;
let ledger: Ledger;
let store: PushChannelStore;
let ingress: RunningIngress;
let tracker: OrderTracker;
let stopWorkers: (() => void) | undefined;
let workersDone: Promise<void> | undefined;

beforeAll(async () => {
  environment = await createDevEnvironment();
  // No webhook URL: OZZOBiT's webhooks are configured on our side but never arrive.
  stack = await startSandboxStack();
  const file = join(mkdtempSync(join(tmpdir(), 'push-degraded-')), 'ledger.sqlite');
  ({ ledger, pushChannels: store } = await openDatabase(`sqlite:${file}`));
  const taskQueue = uniqueId('push-degraded');
  const config = loadConfig({
    ...stack.environment,
    HOUDINI_SECRET: 'not-the-secret',
    OZZOBIT_WS_URL: '',
    TEMPORAL_TASK_QUEUE: taskQueue,
    PUSH_FALLBACK_POLL: '2m',
  });
  expect(config.pushFallbackPollMs).toEqual({ ozzobit: FALLBACK_MS, houdini: FALLBACK_MS });
  tracker = new OrderTracker({ client: environment.client, taskQueue, ledger });
  // The worker has the right Houdini secret for REST (its own credentials); the ingress's bridge is refused.
  const workerConfig = loadConfig({ ...stack.environment, OZZOBIT_WS_URL: '', TEMPORAL_TASK_QUEUE: taskQueue });
  const workers = await createWorkers({
    connection: environment.nativeConnection,
    namespace: 'default',
    taskQueue,
    activities: createActivities({
      providers: createProviders(workerConfig.providers),
      ledger,
      pushFallbackPollMs: config.pushFallbackPollMs,
      pushChannels: store,
    }),
    providers: workerConfig.configuredProviders,
    requestsPerSecond: { magma: 100, miraclecash: 100, ozzobit: 100, houdini: 100 },
    workflowBundle: await workflowBundle(),
  });
  workersDone = runWorkers(workers);
  stopWorkers = () => workers.forEach((worker) => worker.getState() === 'RUNNING' && worker.shutdown());
  ingress = await startIngress(config, tracker, environment.client, { port: 0, reporting: { logger: { info: () => undefined, warn: () => undefined, error: () => undefined } }, pushChannelStore: store });
}, 180_000);

afterAll(async () => {
  await ingress?.stop();
  stopWorkers?.();
  await workersDone?.catch(() => undefined);
  await stack?.close();
  await ledger?.close();
  await environment?.teardown();
});

/** The planned wait, to the second: the wait's next attempt is as the server scheduled it, a dispatch later. */
function plannedWait(progress: Progress): number {
  return Math.floor((Date.parse(String(progress.nextPollAt)) - Date.parse(String(progress.lastPolledAt))) / 1_000) * 1_000;
}

test('a wrong Houdini secret: the bridge stops after the 4401, /healthz names it, webhooks and the HTTP API answer, Houdini orders poll at their cadence and finish', async () => {
  await expect(ingress.failed).rejects.toThrow(/HOUDINI_PARTNER_ID and HOUDINI_SECRET/);
  await eventually('the store says Houdini is down', async () => (await store.readAll()).some((status) => status.provider === 'houdini' && status.state === 'down'));

  const health = (await (await fetch(`${ingress.address}/healthz`)).json()) as { ok: boolean; pushChannels: Record<string, Record<string, { state: string; reason: string }>> };
  expect(health.ok).toBe(true);
  expect(health.pushChannels.houdini?.websocket).toMatchObject({ state: 'down', reason: expect.stringMatching(/HOUDINI_SECRET/) });
  // The webhook route answers (an unsigned body is refused: the route runs).
  expect((await fetch(`${ingress.address}/webhooks/ozzobit`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(401);

  const orderId = uniqueId('degraded-houdini');
  stack.houdini.addOrder({ id: orderId, steps: [{ status: 'CONFIRMING', durationMs: 3_000 }, { status: 'FINISHED' }] });
  // Through the HTTP API, which still runs.
  const tracked = await fetch(`${ingress.address}/orders`, { method: 'POST', body: JSON.stringify({ provider: 'houdini', orderId }), headers: { 'content-type': 'application/json' } });
  expect(tracked.status).toBe(202);
  const first = await eventually('the first poll', async () => (await tracker.progress('houdini', orderId)).polls >= 1).then(() => tracker.progress('houdini', orderId));
  expect(first.status).toBe('CONFIRMING');
  expect(plannedWait(first)).toBe(20_000); // CONFIRMING's cadence, not the 2-minute fallback
  expect(await tracker.result('houdini', orderId)).toMatchObject({ outcome: 'succeeded', status: 'FINISHED', pushes: 0 });
  // One refused handshake, and no retry after it.
  const handshakes = stack.houdini.requests().filter((request) => request.operation.startsWith('websocket'));
  expect(handshakes).toHaveLength(1);
}, TEST_TIMEOUT_MS);

test('OZZOBiT webhooks configured but never arriving: PROCESSING → COMPLETED is seen at the 5 s cadence, not the 2-minute fallback', async () => {
  const orderId = uniqueId('no-webhooks');
  stack.ozzobit.addOrder({ id: orderId, steps: [{ status: 'PROCESSING', durationMs: 4_000 }, { status: 'COMPLETED' }] });
  await tracker.track('ozzobit', orderId);
  await eventually('the first poll', async () => (await tracker.progress('ozzobit', orderId)).polls >= 1);
  const processing = await tracker.progress('ozzobit', orderId);
  expect(processing.status).toBe('PROCESSING');
  expect(plannedWait(processing)).toBe(5_000);
  const result = await tracker.result('ozzobit', orderId);
  expect(result).toMatchObject({ outcome: 'succeeded', status: 'COMPLETED', pushes: 0 });
  // Seen by the poll after PROCESSING, one cadence later: no webhook ever came.
  expect(stack.ozzobit.webhooks(orderId)).toHaveLength(0);
  expect(result.polls).toBeLessThanOrEqual(3);
}, TEST_TIMEOUT_MS);
