/**
 * A killed worker's poll group, on the real dev server against the MiracleCash simulator: worker A
 * (a real `order-tracker worker` process) runs the group and is SIGKILLed; worker B's watchdog finds
 * the loop's row silent, fails the dead attempt, and the server's retry gives the group to B. The
 * order is asked again within the stated bound (the loop's silence allowance, one watchdog check,
 * the retry, one cadence), a small part of the group's 15-minute heartbeat timeout, and ends once.
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
const TASK_QUEUE = 'group-watchdog';
const FLOOR_MS = 5_000;
/** The watchdog's check period (group-watchdog.ts), the retry's first backoff, one cadence, and room for a busy machine. */
const BOUND_MS = LOOP_SILENT_AFTER_MS + 10_000 + 1_000 + FLOOR_MS + 14_000;

let environment: TestWorkflowEnvironment;
let miracle: MiracleCashSandbox;
let workerA: ServiceProcess | undefined;
let workerB: RunningWorkers | undefined;

beforeAll(async () => {
  environment = await createDevEnvironment();
  miracle = await startMiracleCashSandbox({ clientId: CLIENT_ID, apiKey: API_KEY });
});

afterAll(async () => {
  await workerA?.kill();
  await workerB?.stop();
  await environment?.client.workflow.getHandle(pollGroupWorkflowId('miraclecash', 0, TASK_QUEUE)).terminate('test over').catch(() => undefined);
  await miracle?.close();
  await environment?.teardown();
});

test(
  "a SIGKILLed worker's group goes to another worker's new attempt within the stated bound, long before its heartbeat timeout",
  async () => {
    expect(BOUND_MS).toBeLessThan(POLL_GROUP_HEARTBEAT_TIMEOUT_MS / 10);
    const { ledger, file, database } = await temporaryLedger();
    const orderId = uniqueId('watched-group');
    miracle.addOrder({ id: orderId, steps: [{ status: 'pending', durationMs: 75_000 }, { status: 'successful' }] });
    workerA = await startService(
      'worker',
      cleanEnvironment({
        TEMPORAL_ADDRESS: environment.address,
        TEMPORAL_TASK_QUEUE: TASK_QUEUE,
        DATABASE_URL: `sqlite:${file}`,
        MIRACLECASH_URL: miracle.url,
        MIRACLECASH_CLIENT_ID: CLIENT_ID,
        MIRACLECASH_API_KEY: API_KEY,
        MIRACLECASH_POLL_GROUPS: '1',
      }),
      'order-tracker worker running',
    );
    const tracker = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE, ledger });
    await tracker.track('miraclecash', orderId);
    const group = environment.client.workflow.getHandle(pollGroupWorkflowId('miraclecash', 0, TASK_QUEUE));
    await eventually('worker A\'s group polled the order twice', () => miracle.requests(orderId).length >= 3, { timeoutMs: 60_000 });
    const before = await database.members.findLoop(group.workflowId);
    expect(before?.owner).toMatch(/#1$/);

    await workerA.kill();
    const killedAt = Date.now();
    workerB = await startWorkers({
      connection: environment.nativeConnection,
      taskQueue: TASK_QUEUE,
      providers: { miraclecash: createMiracleCashAdapter({ url: miracle.url, clientId: CLIENT_ID, apiKey: API_KEY, requestTimeoutMs: 5_000 }) },
      ledger,
      pollGroups: { client: environment.client, databaseFile: file, shards: { miraclecash: 1 } },
    });

    const askedAgain = () => miracle.requests(orderId).find((request) => request.at > killedAt);
    await eventually('the order is asked again after the kill', () => askedAgain() !== undefined, { timeoutMs: BOUND_MS + 30_000, intervalMs: 250 });
    expect((askedAgain()?.at ?? Infinity) - killedAt).toBeLessThanOrEqual(BOUND_MS);
    // A new attempt of the same activity runs the group now, on worker B, and holds its loop's row.
    const attempt = (await group.describe()).raw.pendingActivities?.find((activity) => activity.activityType?.name === 'runPollGroup');
    expect(attempt?.attempt).toBeGreaterThanOrEqual(2);
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
    await ledger.close();
  },
  300_000,
);
