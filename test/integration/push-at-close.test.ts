/**
 * A push that arrives while an order's run is closing starts no second run. The review's case (the
 * cluster test caught it once): the push read the ledger before the run recorded its verdict, the
 * run then recorded, delivered and closed, and the push's signal-with-start found no open run and
 * started a new one, which polled the provider again and ended "recorded: false". The ledger here is
 * the real SQLite ledger, with a gate on `find` that holds the answer it read until the first run has
 * closed: the widest form of that window. The push must go to the open run, or be ignored.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Ledger } from '../../storage/ledger/ledger';
import { createMiracleCashAdapter } from '../../providers/miraclecash/miraclecash-client';
import { OrderTracker } from '../../client/order-tracker';
import { type MiracleCashSandbox, startMiracleCashSandbox } from '../../sandbox/miraclecash';
import { orderWorkflowId } from '../../domain/ids';
import type { Observation } from '../../domain/types';
import { createDevEnvironment } from '../helpers/environments';
import { temporaryLedger, uniqueId, withWorkers } from '../helpers/worker-stack';

const CLIENT_ID = 'push-at-close-client';
const API_KEY = 'push-at-close-key';
const TASK_QUEUE = uniqueId('push-at-close');

let environment: TestWorkflowEnvironment;
let sandbox: MiracleCashSandbox;

beforeAll(async () => {
  environment = await createDevEnvironment();
  sandbox = await startMiracleCashSandbox({ clientId: CLIENT_ID, apiKey: API_KEY });
}, 120_000);

afterAll(async () => {
  await sandbox?.close();
  await environment?.teardown();
});

/** The real ledger; `find` reads at once but answers only when `release` is called. */
function gatedLedger(ledger: Ledger): { ledger: Ledger; reads: () => number; release: () => void } {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let reads = 0;
  return {
    ledger: {
      ...ledger,
      async find(provider, orderId) {
        const row = await ledger.find(provider, orderId);
        reads += 1;
        await released;
        return row;
      },
    },
    reads: () => reads,
    release,
  };
}

test('a push racing the close of an order that ended finally reaches the open run or is ignored; no second run starts', async () => {
  const orderId = uniqueId('at-close');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'pending', durationMs: 3_000 }, { status: 'successful' }] });
  const real = (await temporaryLedger()).ledger;
  const gate = gatedLedger(real);
  const tracker = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE, ledger: real });
  const pushingTracker = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE, ledger: gate.ledger });
  const adapter = createMiracleCashAdapter({ url: sandbox.url, clientId: CLIENT_ID, apiKey: API_KEY, requestTimeoutMs: 5_000 });

  await withWorkers({ connection: environment.nativeConnection, taskQueue: TASK_QUEUE, providers: { miraclecash: adapter }, ledger: real }, async () => {
    const started = await tracker.track('miraclecash', orderId);
    if (started.kind !== 'tracking') throw new Error(`expected tracking to start, got ${started.kind}`);
    // While the first run still waits for the payment: a push of the status it already knows.
    const pending: Observation = { status: 'pending', phase: 'in_flight', recognised: true, rank: 0, nextWaitMs: 0, details: {} };
    const pushed = pushingTracker.push('miraclecash', orderId, pending);
    const result = await tracker.result('miraclecash', orderId);
    expect(result).toMatchObject({ outcome: 'succeeded', recorded: true });
    gate.release();
    const response = await pushed;

    const handle = environment.client.workflow.getHandle(orderWorkflowId('miraclecash', orderId));
    const latest = await handle.describe();
    expect(latest.runId).toBe(started.runId);
    expect(response).toMatchObject({ kind: 'signalled', runId: started.runId });
    // The open run heard it, so the ledger was never asked.
    expect(gate.reads()).toBe(0);
  });
  expect(await real.find('miraclecash', orderId)).toMatchObject({ outcome: 'succeeded', final: true });
}, 60_000);

test('a push for an order whose run has closed with a final verdict is ignored and starts nothing', async () => {
  const orderId = uniqueId('after-close');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'successful' }] });
  const ledger = (await temporaryLedger()).ledger;
  const tracker = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE, ledger });
  const adapter = createMiracleCashAdapter({ url: sandbox.url, clientId: CLIENT_ID, apiKey: API_KEY, requestTimeoutMs: 5_000 });

  await withWorkers({ connection: environment.nativeConnection, taskQueue: TASK_QUEUE, providers: { miraclecash: adapter }, ledger }, async () => {
    const started = await tracker.track('miraclecash', orderId);
    if (started.kind !== 'tracking') throw new Error(`expected tracking to start, got ${started.kind}`);
    await tracker.result('miraclecash', orderId);
    const late: Observation = { status: 'successful', phase: 'succeeded', recognised: true, rank: 10, nextWaitMs: 0, details: {} };
    expect(await tracker.push('miraclecash', orderId, late)).toMatchObject({ kind: 'ignored', reason: 'order already ended succeeded' });
    const latest = await environment.client.workflow.getHandle(orderWorkflowId('miraclecash', orderId)).describe();
    expect(latest).toMatchObject({ runId: started.runId, status: { name: 'COMPLETED' } });
  });
}, 60_000);
