/**
 * Poll groups on the real dev server, against the simulators over HTTP, in real time: a group polls
 * its orders from one activity and signals an order only when it changes; the order's history holds
 * its first poll, one watch and one signal per change, whatever the number of polls. The simulators'
 * request logs, not the tracker's own account, prove the floor.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { OrderTracker } from '../../client/order-tracker';
import { orderWorkflowId } from '../../domain/ids';
import type { GroupReport } from '../../domain/types';
import type { Ledger } from '../../ledger/ledger';
import { createMiracleCashAdapter } from '../../providers/miraclecash/miraclecash-client';
import { startMagmaSandbox, type MagmaSandbox } from '../../sandbox/magma';
import { startMiracleCashSandbox, type MiracleCashSandbox } from '../../sandbox/miraclecash';
import type { RequestLogEntry } from '../../sandbox/request-log';
import { progressQuery } from '../../workflows/messages';
import { createDevEnvironment } from '../helpers/environments';
import { activityCount, signalPayloads } from '../helpers/history';
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
  ({ ledger, file: ledgerFile } = temporaryLedger());
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
