/**
 * An order waiting on its poll group, on the time-skipping server against the MiracleCash simulator:
 * the test plays the group (its reports are `statusObserved` signals, its looks the member row's
 * `group_checked_ms`), so each run's history shows exactly the order's side. A report is applied as
 * the poll it is, a final one ends the order without a confirming poll, a pushed final status is
 * confirmed by one poll at once, and the max wait ends the watch with one last poll. The histories
 * are the v8 shape's replay fixtures (test/histories/v8).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { MemberStore } from '../../storage/poll-group-members/member-store';
import { OrderTracker } from '../../client/order-tracker';
import { orderWorkflowId } from '../../domain/ids';
import type { GroupReport, Observation, Progress } from '../../domain/types';
import type { Ledger } from '../../storage/ledger/ledger';
import { createMiracleCashAdapter, toMiracleCashObservation } from '../../providers/miraclecash/miraclecash-client';
import { startMiracleCashSandbox, type MiracleCashSandbox } from '../../sandbox/miraclecash';
import { POLL_GROUPS_PATCH } from '../../workflows/patches';
import { progressQuery, statusObservedSignal, statusPushedSignal } from '../../workflows/messages';
import { createTimeSkippingEnvironment } from '../helpers/environments';
import { eventually } from '../helpers/eventually';
import { activityCount, patchMarkers, saveHistory, signalPayloads } from '../helpers/history';
import { temporaryLedger, uniqueId, withWorkers } from '../helpers/worker-stack';

const CLIENT_ID = 'group-wait-client';
const API_KEY = 'group-wait-key';
const TASK_QUEUE = 'group-wait-test';

let environment: TestWorkflowEnvironment;
let sandbox: MiracleCashSandbox;
let ledger: Ledger;
let ledgerFile: string;
let members: MemberStore;
let tracker: OrderTracker;

beforeAll(async () => {
  environment = await createTimeSkippingEnvironment();
  sandbox = await startMiracleCashSandbox({ clientId: CLIENT_ID, apiKey: API_KEY });
  ({ ledger, file: ledgerFile, database: { members } } = await temporaryLedger());
  tracker = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE, ledger });
});

afterAll(async () => {
  await sandbox?.close();
  await ledger?.close();
  await environment?.teardown();
});

/** The worker stack with poll groups on, but no group running: the test is the group. */
function stack<T>(body: () => Promise<T>): Promise<T> {
  return withWorkers(
    {
      connection: environment.nativeConnection,
      taskQueue: TASK_QUEUE,
      providers: { miraclecash: createMiracleCashAdapter({ url: sandbox.url, clientId: CLIENT_ID, apiKey: API_KEY, requestTimeoutMs: 5_000 }) },
      ledger,
      pollGroups: { client: environment.client, databaseFile: ledgerFile, shards: { miraclecash: 1 }, startGroups: false },
    },
    body,
  );
}

function handleOf(orderId: string) {
  return environment.client.workflow.getHandle(orderWorkflowId('miraclecash', orderId));
}

function observed(status: string): Observation {
  return toMiracleCashObservation({ id: 'x', status, createdAt: new Date().toISOString() } as never, Date.now());
}

/** What the group would send after `requests` looks, the last of which saw `status`. */
function report(status: string, requests: number): GroupReport {
  const now = Date.now();
  return { observation: observed(status), attention: null, requests, observedAt: now, previousLookAt: now - 5_000, source: 'group' };
}

/** The order joined its group: its member row is there. */
async function joined(orderId: string): Promise<void> {
  await eventually('the order joined its group', async () => (await members.find('miraclecash', orderId))?.status === 'pending');
}

test('a report is applied as a poll, a final one ends the order without a confirming poll; one poll and one watch in all', async () => {
  const orderId = uniqueId('group-lifecycle');
  let progress: Progress | undefined;
  sandbox.addOrder({ id: orderId, steps: [{ status: 'pending' }] });
  const result = await stack(async () => {
    await tracker.track('miraclecash', orderId);
    await joined(orderId);
    // The group's third look found the provider refusing its credentials: an attention, no status.
    await handleOf(orderId).signal(statusObservedSignal, { ...report('pending', 3), observation: null, attention: 'credentials refused' } satisfies GroupReport);
    await eventually('the report was applied', async () => {
      const progress = await handleOf(orderId).query(progressQuery);
      return progress.polls === 4 && progress.attention === 'credentials refused';
    });
    await handleOf(orderId).signal(statusObservedSignal, report('successful', 2));
    const outcome = await handleOf(orderId).result();
    // A query of a closed run is answered by a worker replaying it: while the stack runs.
    progress = await handleOf(orderId).query(progressQuery);
    return outcome;
  });

  expect(result).toMatchObject({ outcome: 'succeeded', recorded: true, status: 'successful', polls: 6, attention: null });
  // The simulator saw the order's own first poll only: the group's looks were the test's reports.
  expect(sandbox.requests(orderId)).toHaveLength(1);
  const history = await handleOf(orderId).fetchHistory();
  saveHistory('v8-group-lifecycle', history);
  expect(patchMarkers(history).map((marker) => marker.id)).toContain(POLL_GROUPS_PATCH);
  expect(activityCount(history, 'pollUntilChanged')).toBe(1);
  expect(activityCount(history, 'watchPollGroup')).toBe(1);
  expect(signalPayloads<GroupReport>(history, 'statusObserved')).toHaveLength(2);
  expect(progress?.transitions.map((transition) => [transition.status, transition.source])).toEqual([['pending', 'poll'], ['successful', 'poll']]);
  // The order left its group with its recorded outcome.
  expect(await members.find('miraclecash', orderId)).toBeUndefined();
});

test('a pushed final status is confirmed by one poll of the order at once, whatever the group does', async () => {
  const orderId = uniqueId('group-push');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'pending', requests: 1 }, { status: 'successful' }] });
  const result = await stack(async () => {
    await tracker.track('miraclecash', orderId);
    await joined(orderId);
    await handleOf(orderId).signal(statusPushedSignal, { ...observed('successful'), receivedAt: Date.now() });
    return handleOf(orderId).result();
  });

  expect(result).toMatchObject({ outcome: 'succeeded', status: 'successful', pushes: 1, polls: 2 });
  const history = await handleOf(orderId).fetchHistory();
  saveHistory('v8-group-push-confirmed', history);
  // The first poll, then the confirming one: no attempt spent scheduling it (the floor is the reservation's).
  expect(activityCount(history, 'pollUntilChanged')).toBe(2);
  expect(sandbox.requests(orderId)).toHaveLength(2);
});

test('the max wait ends the watch: one last poll, then timed_out, never failed', async () => {
  const orderId = uniqueId('group-timeout');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'pending' }] });
  const result = await stack(async () => {
    await tracker.track('miraclecash', orderId, { maxWaitMs: 2 * 3_600_000 });
    await joined(orderId);
    return handleOf(orderId).result();
  });

  expect(result).toMatchObject({ outcome: 'timed_out', status: 'pending' });
  const history = await handleOf(orderId).fetchHistory();
  saveHistory('v8-group-timed-out', history);
  expect(activityCount(history, 'watchPollGroup')).toBe(1);
  // Its own first poll and the last one at the deadline.
  expect(activityCount(history, 'pollUntilChanged')).toBe(2);
});

test('a poll that was on its way while its group reported a later answer changes nothing', async () => {
  const orderId = uniqueId('group-overtaken');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'pending', requests: 2 }, { status: 'unsuccessful' }] });
  const result = await stack(async () => {
    await tracker.track('miraclecash', orderId);
    await joined(orderId);
    // The order's own poll (a pushed final status to confirm) answers `pending` slowly; its group
    // meanwhile saw the verdict and reports it.
    sandbox.setFault({ kind: 'slow', delayMs: 3_000, count: 1 }, orderId);
    await handleOf(orderId).signal(statusPushedSignal, { ...observed('successful'), receivedAt: Date.now() });
    await eventually('the confirming poll is on its way', () => sandbox.requests(orderId).length >= 2);
    await handleOf(orderId).signal(statusObservedSignal, report('unsuccessful', 1));
    return handleOf(orderId).result();
  });
  expect(result).toMatchObject({ outcome: 'failed', status: 'unsuccessful' });
  // Ended by the report: the confirming poll was cut short, no other poll (nor the deadline's) followed.
  const history = await handleOf(orderId).fetchHistory();
  expect(activityCount(history, 'pollUntilChanged')).toBe(2);
  saveHistory('v8-group-report-overtakes-poll', history);
});
