/**
 * A dead worker's poll group, on the real dev server against the MiracleCash simulator: worker A (a
 * real `order-tracker worker` process) runs the group and is SIGKILLed, or hangs (SIGSTOP); worker
 * B's watchdog finds the loop's process gone from the host, or its row silent, fails the dead
 * attempt, and the server's retry gives the group to B. The order is asked again within the stated
 * bound (the loop's silence allowance, one watchdog check, the retry, one cadence; a minute more for
 * a hung process, whose open polls the server may hand the next attempts), a small part of the
 * group's heartbeat timeout, and ends once.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { LOOP_SILENT_AFTER_MS } from '../../activities/poll-groups/loop-ownership';
import { OrderTracker } from '../../client/order-tracker';
import { pollGroupWorkflowId } from '../../domain/ids';
import { cleanEnvironment } from '../../harness/cli-process';
import { createMiracleCashAdapter } from '../../providers/miraclecash/miraclecash-client';
import { startMiracleCashSandbox, type MiracleCashSandbox } from '../../sandbox/miraclecash';
import { POLL_GROUP_HEARTBEAT_TIMEOUT_MS } from '../../workflows/poll-group';
import { createDevEnvironment } from '../helpers/environments';
import { eventually } from '../helpers/eventually';
import { type ServiceProcess, startService } from '../helpers/order-tracker-service';
import { type RunningWorkers, startWorkers } from '../helpers/running-workers';
import { temporaryLedger, uniqueId } from '../helpers/worker-stack';

const CLIENT_ID = 'watchdog-client';
const API_KEY = 'watchdog-key';
const FLOOR_MS = 5_000;
/** The watchdog's check period (group-watchdog.ts), the retry's first backoff, one cadence, and room for a busy machine. */
const BOUND_MS = LOOP_SILENT_AFTER_MS + 5_000 + 1_000 + FLOOR_MS + 14_000;
/**
 * A hung process's long polls stay open at the server, which may hand them the next attempts (each
 * then found silent in turn) until it drops them, about a minute later: that minute more.
 */
const HUNG_BOUND_MS = BOUND_MS + 70_000;

let environment: TestWorkflowEnvironment;
let miracle: MiracleCashSandbox;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  environment = await createDevEnvironment();
  miracle = await startMiracleCashSandbox({ clientId: CLIENT_ID, apiKey: API_KEY });
});

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  await miracle?.close();
  await environment?.teardown();
});

test.each([
  { death: 'SIGKILLed', why: 'its process is gone', bound: BOUND_MS },
  { death: 'hung (SIGSTOP)', why: 'it was silent for', bound: HUNG_BOUND_MS },
])(
  "a worker $death: its group goes to another worker's new attempt within the stated bound, long before its heartbeat timeout",
  async ({ death, why, bound }) => {
    expect(bound).toBeLessThan(POLL_GROUP_HEARTBEAT_TIMEOUT_MS / 10);
    const taskQueue = uniqueId('group-watchdog');
    const { ledger, file, database } = await temporaryLedger();
    cleanups.push(() => ledger.close());
    const orderId = uniqueId('watched-group');
    miracle.addOrder({ id: orderId, steps: [{ status: 'pending', durationMs: 75_000 }, { status: 'successful' }] });
    const workerA: ServiceProcess = await startService(
      'worker',
      cleanEnvironment({
        TEMPORAL_ADDRESS: environment.address,
        TEMPORAL_TASK_QUEUE: taskQueue,
        DATABASE_URL: `sqlite:${file}`,
        MIRACLECASH_URL: miracle.url,
        MIRACLECASH_CLIENT_ID: CLIENT_ID,
        MIRACLECASH_API_KEY: API_KEY,
        MIRACLECASH_POLL_GROUPS: '1',
      }),
      'order-tracker worker running',
    );
    cleanups.push(() => workerA.kill());
    const group = environment.client.workflow.getHandle(pollGroupWorkflowId('miraclecash', 0, taskQueue));
    cleanups.push(() => group.terminate('test over'));
    const tracker = new OrderTracker({ client: environment.client, taskQueue, ledger });
    await tracker.track('miraclecash', orderId);
    await eventually("worker A's group polled the order twice", () => miracle.requests(orderId).length >= 3, { timeoutMs: 60_000 });
    const before = await database.members.findLoop(group.workflowId);
    expect(before?.owner).toContain(`#1 on ${workerA.pid}@`);

    if (death === 'SIGKILLed') await workerA.kill();
    else workerA.freeze();
    const diedAt = Date.now();
    const workerB: RunningWorkers = await startWorkers({
      connection: environment.nativeConnection,
      taskQueue,
      providers: { miraclecash: createMiracleCashAdapter({ url: miracle.url, clientId: CLIENT_ID, apiKey: API_KEY, requestTimeoutMs: 5_000 }) },
      ledger,
      pollGroups: { client: environment.client, databaseFile: file, shards: { miraclecash: 1 } },
    });
    cleanups.push(() => workerB.stop());

    const askedAgain = () => miracle.requests(orderId).find((request) => request.at > diedAt);
    await eventually('the order is asked again', () => askedAgain() !== undefined, { timeoutMs: bound + 30_000, intervalMs: 250 });
    expect((askedAgain()?.at ?? Infinity) - diedAt).toBeLessThanOrEqual(bound);
    // A new attempt of the same activity runs the group now, on worker B, and holds its loop's row.
    const attempt = (await group.describe()).raw.pendingActivities?.find((activity) => activity.activityType?.name === 'runPollGroup');
    expect(attempt?.attempt).toBeGreaterThanOrEqual(2);
    expect(attempt?.lastFailure?.message).toContain(why);
    expect(attempt?.lastWorkerIdentity?.startsWith(`${workerA.pid}@`)).toBe(false);
    const after = await database.members.findLoop(group.workflowId);
    expect(after?.owner).not.toBe(before?.owner);
    expect(Date.now() - (after?.aliveMs ?? 0)).toBeLessThan(LOOP_SILENT_AFTER_MS);

    const result = await tracker.result('miraclecash', orderId);
    expect(result).toMatchObject({ outcome: 'succeeded', recorded: true, status: 'successful' });
    const requests = miracle.requests(orderId);
    for (let index = 1; index < requests.length; index += 1) {
      expect((requests[index]?.at ?? 0) - (requests[index - 1]?.at ?? 0)).toBeGreaterThanOrEqual(FLOOR_MS);
    }
  },
  300_000,
);
