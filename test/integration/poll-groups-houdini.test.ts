/**
 * Houdini's poll group on the real dev server, against the Houdini simulator (no pushes: polls are
 * the only way to see a change): list pages answer for the group's orders; an order the pages do not
 * show is asked about by id inside the group; and with reconciliation on, the sweep starts exactly
 * the recent orders nobody tracks, once.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createReconciler } from '../../activities/poll-groups/reconciliation';
import { OrderTracker } from '../../client/order-tracker';
import { orderWorkflowId } from '../../domain/ids';
import type { GroupReport } from '../../domain/types';
import type { Ledger } from '../../storage/ledger/ledger';
import { createHoudiniAdapter } from '../../providers/houdini/houdini-client';
import { startHoudiniSandbox, type HoudiniSandbox } from '../../sandbox/houdini';
import { createDevEnvironment } from '../helpers/environments';
import { eventually } from '../helpers/eventually';
import { activityCount, signalPayloads } from '../helpers/history';
import { type RunningWorkers, startWorkers } from '../helpers/running-workers';
import { temporaryLedger, uniqueId } from '../helpers/worker-stack';

const PARTNER_ID = 'groups-partner';
const SECRET = 'groups-secret';
const TASK_QUEUE = 'poll-groups-houdini';
const TEST_TIMEOUT_MS = 120_000;
/** Reconciliation starts orders created up to this long ago. */
const RECONCILE_MAX_AGE_MS = 60 * 60_000;

let environment: TestWorkflowEnvironment;
let sandbox: HoudiniSandbox;
let ledger: Ledger;
let workers: RunningWorkers;
let tracker: OrderTracker;
const reconcileLog: string[] = [];

beforeAll(async () => {
  environment = await createDevEnvironment();
  sandbox = await startHoudiniSandbox({ partnerId: PARTNER_ID, secret: SECRET });
  const temporary = await temporaryLedger();
  ledger = temporary.ledger;
  tracker = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE, ledger });
  workers = await startWorkers({
    connection: environment.nativeConnection,
    taskQueue: TASK_QUEUE,
    providers: { houdini: createHoudiniAdapter({ url: sandbox.url, partnerId: PARTNER_ID, secret: SECRET, pushes: false, requestTimeoutMs: 5_000 }) },
    ledger,
    pollGroups: {
      client: environment.client,
      databaseFile: temporary.file,
      shards: { houdini: 1 },
      onUnknownListed: createReconciler({
        maxAgeMs: { houdini: RECONCILE_MAX_AGE_MS },
        shards: { houdini: 1 },
        recorded: async (provider, orderId) => (await ledger.find(provider, orderId)) !== undefined,
        start: async (provider, orderId) => {
          const started = await tracker.startUntracked(provider, orderId);
          reconcileLog.push(`${orderId} ${started}`);
          return started;
        },
        log: { info: () => undefined, warn: (message, fields) => reconcileLog.push(`${message} ${JSON.stringify(fields)}`) },
      }),
      reconcile: { houdini: { everyMs: 3_000, maxAgeMs: RECONCILE_MAX_AGE_MS } },
    },
  });
});

afterAll(async () => {
  try {
    await workers?.stop();
  } finally {
    await sandbox?.close();
    await ledger?.close();
    await environment?.teardown();
  }
});

function handleOf(orderId: string) {
  return environment.client.workflow.getHandle(orderWorkflowId('houdini', orderId));
}

test.concurrent(
  'list pages answer for the group: a change seen on a page is reported with no request for the order',
  async () => {
    const orderId = uniqueId('swept');
    sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING', durationMs: 9_000 }, { status: 'CONFIRMING', durationMs: 9_000 }, { status: 'FINISHED' }] });
    await tracker.track('houdini', orderId);
    const result = await tracker.result('houdini', orderId);

    expect(result).toMatchObject({ outcome: 'succeeded', status: 'FINISHED' });
    // Its own first poll only: every later look was a list page, which shows the whole order.
    expect(sandbox.requests(orderId)).toHaveLength(1);
    const reports = signalPayloads<GroupReport>(await handleOf(orderId).fetchHistory(), 'statusObserved');
    expect(reports.map((report) => [report.observation?.status, report.source])).toEqual([['CONFIRMING', 'sweep'], ['FINISHED', 'sweep']]);
  },
  TEST_TIMEOUT_MS,
);

test.concurrent(
  'an order the list pages do not show is still polled, by id, inside its group',
  async () => {
    const orderId = uniqueId('unlisted');
    sandbox.addOrder({ id: orderId, unlisted: true, steps: [{ status: 'WAITING', durationMs: 12_000 }, { status: 'FINISHED' }] });
    await tracker.track('houdini', orderId);
    const result = await tracker.result('houdini', orderId);

    expect(result).toMatchObject({ outcome: 'succeeded', status: 'FINISHED' });
    const requests = sandbox.requests(orderId);
    // Its first poll, then the group's by id at the 5 s floor until FINISHED.
    expect(requests.length).toBeGreaterThanOrEqual(3);
    for (let index = 1; index < requests.length; index += 1) {
      expect((requests[index] as { at: number }).at - (requests[index - 1] as { at: number }).at).toBeGreaterThanOrEqual(5_000);
    }
    const history = await handleOf(orderId).fetchHistory();
    expect(activityCount(history, 'pollUntilChanged')).toBe(1);
    expect(signalPayloads<GroupReport>(history, 'statusObserved')).toMatchObject([{ observation: { status: 'FINISHED' }, source: 'group' }]);
  },
  TEST_TIMEOUT_MS,
);

test.concurrent(
  'reconciliation starts exactly the recent untracked orders, once; never one tracked, recorded or too old',
  async () => {
    const prefix = uniqueId('reconcile');
    const longAgo = new Date(Date.now() - 2 * RECONCILE_MAX_AGE_MS).toISOString();
    sandbox.addOrder({ id: `${prefix}-tracked`, steps: [{ status: 'WAITING', durationMs: 20_000 }, { status: 'FINISHED' }] });
    await tracker.track('houdini', `${prefix}-tracked`);
    await ledger.record(
      { provider: 'houdini', orderId: `${prefix}-recorded`, reference: null, outcome: 'timed_out', observation: null, transitions: [], workflowId: orderWorkflowId('houdini', `${prefix}-recorded`), occurredAt: new Date().toISOString() },
      null,
    );
    sandbox.addOrder({ id: `${prefix}-recorded`, steps: [{ status: 'WAITING' }] });
    sandbox.addOrder({ id: `${prefix}-old`, steps: [{ status: 'WAITING', fields: { created: longAgo } }] });
    sandbox.addOrder({ id: `${prefix}-open`, steps: [{ status: 'WAITING', durationMs: 6_000 }, { status: 'FINISHED' }] });
    sandbox.addOrder({ id: `${prefix}-paid`, steps: [{ status: 'FINISHED' }] });

    // The untracked recent ones end tracked (and fulfilled) by reconciliation.
    for (const name of ['open', 'paid']) {
      await eventually(`${name} was started and ended`, async () => (await ledger.find('houdini', `${prefix}-${name}`))?.outcome === 'succeeded', { timeoutMs: 60_000 });
    }
    // Several more sweeps: nothing is started twice, nothing else at all.
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    // (A tracked order that had not joined its group yet may be found running: nothing is started then.)
    const started = reconcileLog.filter((line) => line.startsWith(prefix) && line.endsWith(' started')).sort();
    expect(started).toEqual([`${prefix}-open started`, `${prefix}-paid started`]);
    expect(reconcileLog.filter((line) => line.startsWith(prefix) && !line.endsWith(' started') && !line.endsWith(' running'))).toEqual([]);
    for (const name of ['open', 'paid']) {
      const runs = [];
      for await (const execution of environment.client.workflow.list({ query: `WorkflowId = '${orderWorkflowId('houdini', `${prefix}-${name}`)}'` })) runs.push(execution);
      expect(runs).toHaveLength(1);
      expect((await handleOf(`${prefix}-${name}`).describe()).memo).toMatchObject({ startedBy: 'reconcile' });
    }
    for (const name of ['old', 'recorded']) await expect(handleOf(`${prefix}-${name}`).describe()).rejects.toThrow();
    expect((await handleOf(`${prefix}-tracked`).describe()).memo).toMatchObject({ startedBy: 'track' });
  },
  TEST_TIMEOUT_MS,
);
