/**
 * trackOrder on the real dev server against the Houdini simulator over HTTP, in real time. No push
 * bridge runs here, so the adapter polls every in-flight status at the 5 s floor (with pushes the
 * cadence is 20–30 s by stage: test/unit/houdini-status.nextHoudiniWait.test.ts), and scripts change
 * status between two polls. The simulator's request log, not the tracker's own account, proves the
 * floor. Tests run concurrently on one worker stack.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createHoudiniAdapter } from '../../providers/houdini/houdini-client';
import type { Ledger } from '../../storage/ledger/ledger';
import type { ProviderRegistry } from '../../providers/provider';
import { OrderTracker } from '../../client/order-tracker';
import { startHoudiniSandbox } from '../../sandbox/houdini';
import type { HoudiniSandbox } from '../../sandbox/houdini';
import type { RequestLogEntry } from '../../sandbox/request-log';
import { orderWorkflowId } from '../../domain/ids';
import { progressQuery } from '../../workflows/messages';
import type { Progress } from '../../domain/types';
import { createDevEnvironment } from '../helpers/environments';
import { timerDurationsMs } from '../helpers/history';
import { temporaryLedger, uniqueId, withWorkers } from '../helpers/worker-stack';

const PARTNER_ID = 'integration-partner';
const SECRET = 'integration-secret';
const TASK_QUEUE = 'houdini-integration';
/** Polls here carry a secret Houdini refuses. */
const WRONG_SECRET_TASK_QUEUE = 'houdini-integration-wrong-secret';
/** The contract's floor: never more than one provider request per order per 5 s. */
const FLOOR_MS = 5_000;
/** The slowest script here takes ~16 s; room for a busy machine. */
const TEST_TIMEOUT_MS = 90_000;

let environment: TestWorkflowEnvironment;
let sandbox: HoudiniSandbox;
let ledger: Ledger;
let tracker: OrderTracker;
let stopWorkers: () => void;
let workersStopped: Promise<void>;

/** Every wait the adapter suggested, per order: what the workflow's floor is checked against. */
const suggestedWaits = new Map<string, number[]>();

function houdiniProviders(secret: string): ProviderRegistry {
  const adapter = createHoudiniAdapter({ url: sandbox.url, partnerId: PARTNER_ID, secret, pushes: false, requestTimeoutMs: 5_000 }); // no bridge here: polls at the 5 s floor;
  return {
    houdini: {
      name: 'houdini',
      async fetchOrder(orderId, signal) {
        const observation = await adapter.fetchOrder(orderId, signal);
        suggestedWaits.set(orderId, [...(suggestedWaits.get(orderId) ?? []), observation.nextWaitMs]);
        return observation;
      },
    },
  };
}

beforeAll(async () => {
  environment = await createDevEnvironment();
  sandbox = await startHoudiniSandbox({ partnerId: PARTNER_ID, secret: SECRET });
  ledger = (await temporaryLedger()).ledger;
  tracker = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE, ledger });
  // One worker stack for the whole file, held open until afterAll.
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const released = new Promise<void>((resolve) => (stopWorkers = resolve));
  workersStopped = withWorkers(
    { connection: environment.nativeConnection, taskQueue: TASK_QUEUE, providers: houdiniProviders(SECRET), ledger },
    () => {
      started();
      return released;
    },
  );
  await Promise.race([running, workersStopped]);
});

afterAll(async () => {
  stopWorkers?.();
  await workersStopped;
  await sandbox?.close();
  await ledger?.close();
  await environment?.teardown();
});

function handleOf(orderId: string) {
  return environment.client.workflow.getHandle(orderWorkflowId('houdini', orderId));
}

function progressOf(orderId: string): Promise<Progress> {
  return handleOf(orderId).query(progressQuery);
}

async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Milliseconds between consecutive requests of one order, by arrival. */
function gapsMs(requests: RequestLogEntry[]): number[] {
  return requests.slice(1).map((request, index) => request.at - (requests[index] as RequestLogEntry).at);
}

function expectFloorHeld(requests: RequestLogEntry[]): void {
  for (const gap of gapsMs(requests)) expect(gap).toBeGreaterThanOrEqual(FLOOR_MS);
}

test.concurrent(
  'a swap goes from WAITING to FINISHED, polled every 5 s without pushes, seeing every stage; the ledger row is final',
  async () => {
    const orderId = uniqueId('finished');
    const addedAt = Date.now();
    sandbox.addOrder({
      id: orderId,
      depositWindowMs: 8_000,
      // Each stage spans one 5 s poll, with 2.5 s either side of it.
      steps: [
        { status: 'WAITING', durationMs: 2_500 },
        { status: 'CONFIRMING', durationMs: 5_000, fields: { inTxHash: 'in-tx' } },
        { status: 'EXCHANGING', durationMs: 5_000 },
        { status: 'FINISHED', fields: { outTxHash: 'out-tx' } },
      ],
    });

    await tracker.track('houdini', orderId, { reference: 'merchant-h1' });
    await eventually('the first poll', async () => (await progressOf(orderId)).polls >= 1);
    const waiting = await progressOf(orderId);
    expect(waiting).toMatchObject({ status: 'WAITING', phase: 'in_flight', details: { statusCode: 0 } });
    // The UI's countdown: the order's deposit expiry, as Houdini gave it.
    const expiresAt = Date.parse(String(waiting.details.expiresAt));
    expect(expiresAt).toBeGreaterThanOrEqual(addedAt + 8_000);
    expect(expiresAt).toBeLessThan(addedAt + 8_100);

    const result = await tracker.result('houdini', orderId);
    expect(result).toMatchObject({ outcome: 'succeeded', recorded: true, status: 'FINISHED', polls: 4, pushes: 0 });
    expect(result.details).toMatchObject({ statusCode: 4, outTxHash: 'out-tx', expiresAt: null });
    const requests = sandbox.requests(orderId);
    expect(requests.map((request) => request.httpStatus)).toEqual([200, 200, 200, 200]);
    expectFloorHeld(requests);
    // At the floor, not the 20–30 s by stage of a deployment whose pushes report the changes.
    for (const gap of gapsMs(requests)) expect(gap).toBeLessThan(FLOOR_MS + 2_000);
    const row = await ledger.find('houdini', orderId);
    expect(row).toMatchObject({ outcome: 'succeeded', final: true, status: 'FINISHED', reference: 'merchant-h1' });
    expect(row?.transitions.map((transition) => transition.status)).toEqual(['WAITING', 'CONFIRMING', 'EXCHANGING', 'FINISHED']);
  },
  TEST_TIMEOUT_MS,
);

test(
  'code 8 (DELETED, "older than 48 hours") ends the order timed_out, not failed: no verdict, a ledger row that is not final, attention',
  async () => {
    const orderId = uniqueId('deleted');
    sandbox.addOrder({ id: orderId, depositWindowMs: 2_500, steps: [{ status: 'WAITING', durationMs: 2_500 }, { status: 'DELETED' }] });

    await tracker.track('houdini', orderId);
    const result = await tracker.result('houdini', orderId);

    expect(result).toMatchObject({ outcome: 'timed_out', status: 'DELETED', phase: 'unknown', attention: 'deleted by provider, outcome unknown', polls: 2 });
    expect(await ledger.find('houdini', orderId)).toMatchObject({ outcome: 'timed_out', final: false, status: 'DELETED' });
  },
  TEST_TIMEOUT_MS,
);

test.concurrent.each([
  [5, 'EXPIRED'],
  [6, 'FAILED'],
  [7, 'REFUNDED'],
])(
  'code %i (%s) ends the order failed with a final ledger row',
  async (code, label) => {
    const orderId = uniqueId(`failure-${code}`);
    // The deposit window runs out at 2.5 s, when the order becomes `label`: the second poll, 5 s after the first, sees it.
    sandbox.addOrder({ id: orderId, depositWindowMs: 2_500, steps: [{ status: 'WAITING', durationMs: 2_500 }, { status: label }] });

    await tracker.track('houdini', orderId);
    const result = await tracker.result('houdini', orderId);

    expect(result).toMatchObject({ outcome: 'failed', status: label, phase: 'failed', polls: 2 });
    expect(result.details.statusCode).toBe(code);
    if (label === 'EXPIRED') expect(result.details.expiresAt).toEqual(expect.any(String));
    expectFloorHeld(sandbox.requests(orderId));
    const row = await ledger.find('houdini', orderId);
    expect(row).toMatchObject({ outcome: 'failed', final: true, status: label });
    expect(row?.transitions.map((transition) => transition.status)).toEqual(['WAITING', label]);
  },
  TEST_TIMEOUT_MS,
);

test.concurrent(
  'an order still waiting at its max wait ends timed_out, not failed, and may be tracked again',
  async () => {
    const orderId = uniqueId('timeout');
    // Shorter than the floor: the first poll, and the deadline's a floor after it.
    const MAX_WAIT_MS = 4_000;
    sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING' }] });

    await tracker.track('houdini', orderId, { maxWaitMs: MAX_WAIT_MS });
    const result = await tracker.result('houdini', orderId);

    // The first poll, then one last poll at the deadline (at most the floor after the one before).
    expect(result).toMatchObject({ outcome: 'timed_out', status: 'WAITING', polls: 2 });
    const elapsed = Date.parse(result.finishedAt) - Date.parse(result.startedAt);
    expect(elapsed).toBeGreaterThanOrEqual(MAX_WAIT_MS);
    expect(elapsed).toBeLessThan(MAX_WAIT_MS + FLOOR_MS + 5_000);
    expect(await ledger.find('houdini', orderId)).toMatchObject({ outcome: 'timed_out', final: false });
  },
  TEST_TIMEOUT_MS,
);

test.concurrent(
  'cancel ends the order tracking_cancelled without another request',
  async () => {
    const orderId = uniqueId('cancel');
    sandbox.addOrder({ id: orderId, steps: [{ status: 'CONFIRMING' }] });

    await tracker.track('houdini', orderId);
    await eventually('the first poll', async () => (await progressOf(orderId)).polls >= 1);
    await tracker.cancel('houdini', orderId, 'merchant closed the order');
    const result = await tracker.result('houdini', orderId);

    expect(result).toMatchObject({ outcome: 'tracking_cancelled', status: 'CONFIRMING', polls: 1 });
    expect(sandbox.requests(orderId)).toHaveLength(1);
    expect(await ledger.find('houdini', orderId)).toMatchObject({ outcome: 'tracking_cancelled', final: false });
  },
  TEST_TIMEOUT_MS,
);

test.concurrent(
  'the 5 s floor holds through a 500, a 429 asking for 1 s, and an expiry closer than 5 s',
  async () => {
    const orderId = uniqueId('floor');
    // Retries at +5 s and +5 s: the good answer arrives ~10 s in, the expiry at 13 s; the adapter suggests ~4 s.
    sandbox.addOrder({ id: orderId, depositWindowMs: 13_000, steps: [{ status: 'WAITING', durationMs: 14_000 }, { status: 'EXPIRED' }] });
    sandbox.setFault({ kind: 'server_error', count: 1 }, orderId);
    sandbox.setFault({ kind: 'rate_limit', retryAfterSeconds: 1, count: 1 }, orderId);

    // A 429 pauses every Houdini poll of its worker (provider-gate.ts): on a worker of its own, so the
    // pause cannot postpone the concurrent tests' polls past a stage they must see.
    const taskQueue = `${TASK_QUEUE}-rate-limited`;
    const ownTracker = new OrderTracker({ client: environment.client, taskQueue, ledger });
    const result = await withWorkers({ connection: environment.nativeConnection, taskQueue, providers: houdiniProviders(SECRET), ledger }, async () => {
      await ownTracker.track('houdini', orderId);
      return ownTracker.result('houdini', orderId);
    });

    expect(result).toMatchObject({ outcome: 'failed', status: 'EXPIRED' });
    const requests = sandbox.requests(orderId);
    expect(requests.map((request) => request.httpStatus)).toEqual([500, 429, 200, 200]);
    expectFloorHeld(requests);
    const [suggested] = suggestedWaits.get(orderId) ?? [];
    expect(suggested).toBeLessThan(FLOOR_MS);
    // No workflow timer: the waits were the poll's retries.
    expect(timerDurationsMs(await handleOf(orderId).fetchHistory())).toEqual([]);
  },
  TEST_TIMEOUT_MS,
);

test.concurrent(
  'a refused secret shows as 401 at the simulator and `credentials refused` in progress, with nothing in the ledger',
  async () => {
    const orderId = uniqueId('wrong-secret');
    sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING' }] });
    const wrongSecretTracker = new OrderTracker({ client: environment.client, taskQueue: WRONG_SECRET_TASK_QUEUE, ledger });

    await withWorkers(
      { connection: environment.nativeConnection, taskQueue: WRONG_SECRET_TASK_QUEUE, providers: houdiniProviders('not-the-secret'), ledger },
      async () => {
        await wrongSecretTracker.track('houdini', orderId);
        await eventually('progress shows the attention', async () => (await progressOf(orderId)).attention === 'credentials refused');
        expect(await progressOf(orderId)).toMatchObject({ status: null, polls: 0, outcome: null, fulfilment: { recorded: false } });
        // Not retried by Temporal: one refused request, then the slow re-check (minutes away).
        expect(sandbox.requests(orderId)).toMatchObject([{ operation: 'get_order', httpStatus: 401 }]);
        expect(sandbox.requests(orderId)[0]?.fault).toBeUndefined();
        expect(await ledger.find('houdini', orderId)).toBeUndefined();
        // Ended from outside, so nothing is recorded; the order stays trackable once the secret is fixed.
        await handleOf(orderId).terminate('houdini integration test done');
      },
    );
    expect(await ledger.find('houdini', orderId)).toBeUndefined();
  },
  TEST_TIMEOUT_MS,
);
