/**
 * Quiet when nothing is wrong: an order the provider does not know yet (a push or a merchant quicker
 * than its database) waits as a BENIGN "not yet" — no failed activity in its history, no stack trace
 * and no warning in the logs — with an attention in `progress` (its escalation after
 * NOT_FOUND_QUIET_REQUESTS requests: test/unit/poll-requests.notFoundYet.test.ts). The floor is
 * 100 ms here, so the wait takes a second.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { OrderTracker } from '../../client/order-tracker';
import { orderWorkflowId } from '../../domain/ids';
import type { Ledger } from '../../storage/ledger/ledger';
import { type MagmaSandbox, startMagmaSandbox } from '../../sandbox/magma';
import { createDevEnvironment } from '../helpers/environments';
import { eventually } from '../helpers/eventually';
import { type RunningWorkers, startWorkers } from '../helpers/running-workers';
import { magmaProviders, temporaryLedger, uniqueId } from '../helpers/worker-stack';

const API_KEY = 'not-found-yet-key';
const TASK_QUEUE = 'not-found-yet-test';
const FLOOR_MS = 100;

const logEntries: { level: string; message: string; line: string }[] = [];
// Installed before anything creates the runtime: every SDK and activity log line of this file lands here.
Runtime.install({
  logger: new DefaultLogger('DEBUG', (entry) =>
    logEntries.push({
      level: entry.level,
      message: entry.message,
      line: JSON.stringify(entry, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)),
    }),
  ),
});

let environment: TestWorkflowEnvironment;
let sandbox: MagmaSandbox;
let ledger: Ledger;
let workers: RunningWorkers;
let tracker: OrderTracker;

beforeAll(async () => {
  environment = await createDevEnvironment();
  sandbox = await startMagmaSandbox({ apiKey: API_KEY });
  ledger = (await temporaryLedger()).ledger;
  workers = await startWorkers({ connection: environment.nativeConnection, taskQueue: TASK_QUEUE, providers: magmaProviders(sandbox.url, API_KEY), ledger });
  tracker = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE, settings: { minRequestGapMs: FLOOR_MS } });
});

afterAll(async () => {
  await workers?.stop();
  await sandbox?.close();
  await ledger?.close();
  await environment?.teardown();
});

test('an order the provider does not know yet waits quietly, with an attention in progress, and goes on once the provider knows it', async () => {
  const orderId = uniqueId('not-yet');
  await tracker.track('magma', orderId);

  await eventually('a few quiet requests', async () => {
    const progress = await tracker.progress('magma', orderId);
    return progress.attention === 'order not found at magma yet' && (progress.pendingPoll?.requests ?? 0) >= 5;
  });
  const waiting = await tracker.progress('magma', orderId);
  expect(waiting).toMatchObject({ status: null, outcome: null, pendingPoll: { lastResult: expect.stringMatching(/^order not found at magma yet \(\d+ requests\); next at /) } });
  expect(waiting.polls).toBeGreaterThanOrEqual(5);

  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_SELLER_APPROVAL', requests: 1 }, { status: 'VALID_CHANNEL_OPENING' }] });
  expect(await tracker.result('magma', orderId)).toMatchObject({ outcome: 'succeeded', attention: null });

  const history = await environment.client.workflow.getHandle(orderWorkflowId('magma', orderId)).fetchHistory();
  const failed = (history.events ?? []).filter((event) => event.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED);
  expect(failed).toEqual([]);

  const ofOrder = logEntries.filter((entry) => entry.line.includes(orderId));
  expect(ofOrder.length).toBeGreaterThan(0);
  // Nothing was wrong: no warning, no error, no stack frame in any line about the order, at any level.
  expect(ofOrder.filter((entry) => entry.level === 'WARN' || entry.level === 'ERROR').map((entry) => entry.message)).toEqual([]);
  expect(ofOrder.filter((entry) => /\bat \S+ \(?\/.+:\d+:\d+\)?/.test(entry.line))).toEqual([]);
}, 90_000);
