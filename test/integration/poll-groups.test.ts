/**
 * Poll groups on the real dev server, against the simulators over HTTP, in real time: a group polls
 * its orders from one activity and signals an order only when it changes; the order's history holds
 * its first poll, one watch and one signal per change, whatever the number of polls. The simulators'
 * request logs, not the tracker's own account, prove the floor.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { OrderTracker } from '../../client/order-tracker';
import { orderWorkflowId, pollGroupWorkflowId } from '../../domain/ids';
import type { GroupReport } from '../../domain/types';
import type { Ledger } from '../../storage/ledger/ledger';
import { createMiracleCashAdapter } from '../../providers/miraclecash/miraclecash-client';
import { startMagmaSandbox, type MagmaSandbox } from '../../sandbox/magma';
import { startMiracleCashSandbox, type MiracleCashSandbox } from '../../sandbox/miraclecash';
import type { RequestLogEntry } from '../../sandbox/request-log';
import { progressQuery } from '../../workflows/messages';
import { createDevEnvironment } from '../helpers/environments';
import { activityCount, saveHistory, signalPayloads } from '../helpers/history';
import { eventually } from '../helpers/eventually';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporalOrderReports } from '../../activities/poll-groups/order-reports';
import { type RunningWorkers, startWorkers } from '../helpers/running-workers';
import { magmaProviders, temporaryLedger, uniqueId } from '../helpers/worker-stack';

const API_KEY = 'poll-groups-key';
const CLIENT_ID = 'poll-groups-client';
const TASK_QUEUE = 'poll-groups-integration';
const FLOOR_MS = 5_000;
const TEST_TIMEOUT_MS = 120_000;

let environment: TestWorkflowEnvironment;
let sandbox: MagmaSandbox;
let miracle: MiracleCashSandbox;
let ledger: Ledger;
let ledgerFile: string;
let workers: RunningWorkers;
let tracker: OrderTracker;

beforeAll(async () => {
  environment = await createDevEnvironment();
  sandbox = await startMagmaSandbox({ apiKey: API_KEY });
  miracle = await startMiracleCashSandbox({ clientId: CLIENT_ID, apiKey: API_KEY });
  ({ ledger, file: ledgerFile } = await temporaryLedger());
  workers = await startWorkers({
    connection: environment.nativeConnection,
    taskQueue: TASK_QUEUE,
    providers: {
      ...magmaProviders(sandbox.url, API_KEY),
      miraclecash: createMiracleCashAdapter({ url: miracle.url, clientId: CLIENT_ID, apiKey: API_KEY, requestTimeoutMs: 5_000 }),
    },
    ledger,
    pollGroups: { client: environment.client, databaseFile: ledgerFile, shards: { magma: 1, miraclecash: 2 } },
  });
  tracker = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE, ledger });
});

afterAll(async () => {
  try {
    await workers?.stop();
  } finally {
    await sandbox?.close();
    await miracle?.close();
    await ledger?.close();
    await environment?.teardown();
  }
});

function gapsMs(requests: RequestLogEntry[]): number[] {
  return requests.slice(1).map((request, index) => request.at - (requests[index] as RequestLogEntry).at);
}

function historyOf(provider: 'magma' | 'miraclecash', orderId: string) {
  return environment.client.workflow.getHandle(orderWorkflowId(provider, orderId)).fetchHistory();
}

test.concurrent(
  'a group polls a payment at its cadence, one request at a time, and reports only its change; the order spends one poll and one watch',
  async () => {
    const orderId = uniqueId('grouped-payment');
    // Four requests of `pending` (the group's, every 5 s), then the verdict.
    miracle.addOrder({ id: orderId, steps: [{ status: 'pending', requests: 4 }, { status: 'successful' }] });
    await tracker.track('miraclecash', orderId);
    const result = await tracker.result('miraclecash', orderId);

    expect(result).toMatchObject({ outcome: 'succeeded', recorded: true, status: 'successful', polls: 5 });
    const requests = miracle.requests(orderId);
    expect(requests).toHaveLength(5);
    for (const gap of gapsMs(requests)) expect(gap).toBeGreaterThanOrEqual(FLOOR_MS);
    const history = await historyOf('miraclecash', orderId);
    // The first request was the order's own; the group made the other four and reported one change.
    expect(activityCount(history, 'pollUntilChanged')).toBe(1);
    expect(activityCount(history, 'watchPollGroup')).toBe(1);
    const reports = signalPayloads<GroupReport>(history, 'statusObserved');
    expect(reports).toMatchObject([{ observation: { status: 'successful', phase: 'succeeded' }, requests: 4, source: 'group' }]);
    const progress = await environment.client.workflow.getHandle(orderWorkflowId('miraclecash', orderId)).query(progressQuery);
    expect(progress.transitions.map((transition) => transition.status)).toEqual(['pending', 'successful']);
    // The change reached the order within a second of the group's answer.
    expect(Date.parse((progress.transitions[1] as { at: string }).at) - (reports[0] as GroupReport).observedAt).toBeLessThan(1_000);
  },
  TEST_TIMEOUT_MS,
);

test.concurrent(
  'a list sweep answers for a Magma order by pages; each change is asked about once for its details and reported',
  async () => {
    const orderId = uniqueId('grouped-channel');
    sandbox.addOrder({
      id: orderId,
      steps: [
        { status: 'WAITING_FOR_SELLER_APPROVAL', durationMs: 9_000 },
        { status: 'WAITING_FOR_BUYER_PAYMENT', durationMs: 9_000, fields: { payment_status: 'PENDING' } },
        { status: 'VALID_CHANNEL_OPENING', fields: { transaction_id: 'tx-group', channel_id: '850000x2x0' } },
      ],
    });
    await tracker.track('magma', orderId);
    const result = await tracker.result('magma', orderId);

    expect(result).toMatchObject({ outcome: 'succeeded', recorded: true, status: 'VALID_CHANNEL_OPENING' });
    // Its own first poll, then one per change the pages showed (the list has no details).
    const requests = sandbox.requests(orderId);
    expect(requests).toHaveLength(3);
    for (const gap of gapsMs(requests)) expect(gap).toBeGreaterThanOrEqual(FLOOR_MS);
    const history = await historyOf('magma', orderId);
    expect(activityCount(history, 'pollUntilChanged')).toBe(1);
    const reports = signalPayloads<GroupReport>(history, 'statusObserved');
    expect(reports.map((report) => report.observation?.status)).toEqual(['WAITING_FOR_BUYER_PAYMENT', 'VALID_CHANNEL_OPENING']);
    expect(await ledger.find('magma', orderId)).toMatchObject({ outcome: 'succeeded', observation: { details: { transaction_id: 'tx-group' } } });
  },
  TEST_TIMEOUT_MS,
);

test(
  'a stopped group: its order polls on its own within the stated bound, and goes back to the group when it looks again',
  async () => {
    // The order's watch every 10 s; a group silent about it for three cadences (15 s) counts as
    // stopped: the order polls on its own at most 15 s + 10 s after its group's last look (plus a
    // workflow task or two).
    const settings = { groupCheckMs: 10_000, groupSilenceMs: 8_000 };
    const bound = 3 * FLOOR_MS + settings.groupCheckMs + 2_000;
    const queue = `${TASK_QUEUE}-silent`;
    const orderId = uniqueId('silent-group');
    miracle.addOrder({ id: orderId, steps: [{ status: 'pending', durationMs: 100_000 }, { status: 'successful' }] });
    const temporary = await temporaryLedger();
    const groupTracker = new OrderTracker({ client: environment.client, taskQueue: queue, ledger: temporary.ledger, settings });
    const reports = temporalOrderReports(environment.client, queue);
    const group = environment.client.workflow.getHandle(pollGroupWorkflowId('miraclecash', 0, queue));
    const stack = await startWorkers({
      connection: environment.nativeConnection,
      taskQueue: queue,
      providers: { miraclecash: createMiracleCashAdapter({ url: miracle.url, clientId: CLIENT_ID, apiKey: API_KEY, requestTimeoutMs: 5_000 }) },
      ledger: temporary.ledger,
      // No group is started for the test but the one it starts: a stopped group stays stopped.
      pollGroups: { client: environment.client, databaseFile: temporary.file, shards: { miraclecash: 1 }, startGroups: false },
    });
    try {
      await reports.ensureGroup('miraclecash', 0);
      await groupTracker.track('miraclecash', orderId);
      await eventually('the group polled the order twice', () => miracle.requests(orderId).length >= 3, { timeoutMs: 30_000 });
      await group.terminate('the test stops the group');
      // Its loop learns of it within 30 s (it asks whether its run still runs); the order learns of the silence at its watch.
      let fallbackAt = 0;
      await eventually('the order polls on its own', async () => {
        const scheduled = (await historyOf('miraclecash', orderId)).events?.filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'pollUntilChanged') ?? [];
        fallbackAt = scheduled.length >= 2 ? tsToMs(scheduled[1]?.eventTime) : 0;
        return fallbackAt > 0;
      }, { timeoutMs: 90_000, intervalMs: 500 });
      const lastLook = (await temporary.database.members.find('miraclecash', orderId))?.groupCheckedMs ?? 0;
      expect(fallbackAt - lastLook).toBeLessThanOrEqual(bound);

      // The group runs again: the order's next attempt finds it looking and hands the order back.
      await environment.client.workflow.start('pollGroup', { workflowId: group.workflowId, taskQueue: queue, args: [{ provider: 'miraclecash', shard: 0 }], workflowIdConflictPolicy: 'USE_EXISTING' });
      const result = await groupTracker.result('miraclecash', orderId);
      expect(result).toMatchObject({ outcome: 'succeeded', status: 'successful' });
      for (const gap of gapsMs(miracle.requests(orderId))) expect(gap).toBeGreaterThanOrEqual(FLOOR_MS);
      const history = await historyOf('miraclecash', orderId);
      saveHistory('v8-group-silent-then-back', history);
      // Its first poll, its own wait while the group was silent; a watch before and after.
      expect(activityCount(history, 'pollUntilChanged')).toBe(2);
      expect(activityCount(history, 'watchPollGroup')).toBe(2);
      expect(signalPayloads<GroupReport>(history, 'statusObserved').map((report) => report.observation?.status)).toEqual(['successful']);
    } finally {
      await stack.stop();
      await group.terminate('test over').catch(() => undefined);
      await temporary.ledger.close();
    }
  },
  TEST_TIMEOUT_MS + 60_000,
);
