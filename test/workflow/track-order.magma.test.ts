/**
 * trackOrder on the time-skipping server, at the real cadence, against the Magma simulator over
 * HTTP. Scripts advance by request count, because simulated hours pass in seconds here.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Ledger } from '../../storage/ledger/ledger';
import { OrderTracker } from '../../client/order-tracker';
import { startMagmaSandbox, type MagmaSandbox } from '../../sandbox/magma';
import { orderWorkflowId } from '../../domain/ids';
import { cancelSignal, progressQuery, statusPushedSignal } from '../../workflows/messages';
import { createTimeSkippingEnvironment } from '../helpers/environments';
import { activityCount, continuedFromRunId, followsCadence, pollCount, recordRequestTimes, type RequestClock, saveHistory, timerDurationsMs } from '../helpers/history';
import { magmaProviders, temporaryLedger, uniqueId, withWorkers } from '../helpers/worker-stack';

const API_KEY = 'workflow-test-key';
const TASK_QUEUE = 'workflow-test';
const HOUR_MS = 3_600_000;

let environment: TestWorkflowEnvironment;
let sandbox: MagmaSandbox;
let ledger: Ledger;
let tracker: OrderTracker;
let clock: RequestClock;

beforeAll(async () => {
  environment = await createTimeSkippingEnvironment();
  sandbox = await startMagmaSandbox({ apiKey: API_KEY });
  clock = recordRequestTimes(magmaProviders(sandbox.url, API_KEY), () => environment.currentTimeMs());
  ledger = (await temporaryLedger()).ledger;
  tracker = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE, ledger });
});

afterAll(async () => {
  await sandbox?.close();
  await ledger?.close();
  await environment?.teardown();
});

function stack<T>(body: () => Promise<T>): Promise<T> {
  return withWorkers({ connection: environment.nativeConnection, taskQueue: TASK_QUEUE, providers: clock.providers, ledger }, body);
}

test('a Magma order goes through approval, payment, channel open and confirmations to VALID_CHANNEL_OPENING', async () => {
  const orderId = uniqueId('lifecycle');
  sandbox.addOrder({
    id: orderId,
    steps: [
      { status: 'WAITING_FOR_SELLER_APPROVAL', requests: 2 },
      { status: 'WAITING_FOR_BUYER_PAYMENT', requests: 2, fields: { payment_status: 'PENDING' } },
      { status: 'WAITING_FOR_CHANNEL_OPEN', requests: 1, fields: { payment_status: 'SUCCESSFUL_PAYMENT' } },
      { status: 'SELLER_SENT_TRANSACTION', requests: 1, fields: { transaction_id: 'tx-1' } },
      { status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION', requests: 3, fields: { transaction_id: 'tx-1', confirmations: { confirmations: 2 } } },
      { status: 'VALID_CHANNEL_OPENING', fields: { transaction_id: 'tx-1', channel_id: '850000x1x0', confirmations: { confirmations: 6 } } },
    ],
  });

  const { result, progress } = await stack(async () => {
    await tracker.track('magma', orderId, { reference: 'merchant-42' });
    const outcome = await tracker.result('magma', orderId);
    // Queries need a worker: ask while the stack runs.
    return { result: outcome, progress: await tracker.progress('magma', orderId) };
  });

  expect(result.outcome).toBe('succeeded');
  expect(result.status).toBe('VALID_CHANNEL_OPENING');
  expect(result.details).toMatchObject({ channel_id: '850000x1x0', confirmations: 6, transaction_id: 'tx-1' });
  expect(result.polls).toBe(10);

  const handle = environment.client.workflow.getHandle(orderWorkflowId('magma', orderId));
  const history = await handle.fetchHistory();
  // Fast phases every 7.5 s, block-bound phases every 45 s: the seed's cadence, read from the requests' server times.
  const planned = [7_500, 7_500, 7_500, 7_500, 7_500, 45_000, 45_000, 45_000, 45_000];
  expect(cadenceCheck(orderId, planned)).toBe('follows the cadence');
  // No workflow timer between polls: the waits are the poll activity's retries.
  expect(timerDurationsMs(history)).toEqual([]);
  // One poll activity per status seen (six statuses), not one per request (ten).
  expect(activityCount(history, 'pollUntilChanged')).toBe(6);
  expect(activityCount(history, 'recordOutcome')).toBe(1);

  expect(progress.transitions.map((transition) => transition.status)).toEqual([
    'WAITING_FOR_SELLER_APPROVAL',
    'WAITING_FOR_BUYER_PAYMENT',
    'WAITING_FOR_CHANNEL_OPEN',
    'SELLER_SENT_TRANSACTION',
    'WAITING_FOR_ON_CHAIN_CONFIRMATION',
    'VALID_CHANNEL_OPENING',
  ]);
  expect(progress).toMatchObject({ outcome: 'succeeded', reference: 'merchant-42', fulfilment: { recorded: true } });

  const row = await ledger.find('magma', orderId);
  expect(row).toMatchObject({ outcome: 'succeeded', final: true, status: 'VALID_CHANNEL_OPENING', reference: 'merchant-42' });
  expect(row?.transitions).toHaveLength(6);

  saveHistory('lifecycle', history);
});

test('an order still in flight at its 2 h max wait ends timed_out, not failed', async () => {
  const orderId = uniqueId('forever');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION' }] });
  const result = await stack(async () => {
    await tracker.track('magma', orderId);
    return tracker.result('magma', orderId);
  });
  expect(result.outcome).toBe('timed_out');
  const elapsed = Date.parse(result.finishedAt) - Date.parse(result.startedAt);
  expect(elapsed).toBeGreaterThanOrEqual(2 * HOUR_MS);
  expect(elapsed).toBeLessThan(2 * HOUR_MS + 60_000);
  // 45 s cadence for two hours: 160 requests, the last one at the deadline.
  expect(result.polls).toBeGreaterThanOrEqual(155);
  expect(result.polls).toBeLessThanOrEqual(162);
  expect(sandbox.requests(orderId)).toHaveLength(result.polls);
  // Unchanged polls leave no trace in history: one wait, the deadline poll and the fulfilment.
  const history = await environment.client.workflow.getHandle(orderWorkflowId('magma', orderId)).fetchHistory();
  expect(history.events?.length).toBeLessThan(60);
  expect(activityCount(history, 'pollUntilChanged')).toBe(3);
  expect(await ledger.find('magma', orderId)).toMatchObject({ outcome: 'timed_out', final: false });
});

test('an order whose provider is down for its whole max wait ends timed_out on time', async () => {
  const orderId = uniqueId('outage');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT' }] });
  sandbox.setFault({ kind: 'server_error' }, orderId);
  const result = await stack(async () => {
    await tracker.track('magma', orderId, { maxWaitMs: 2 * HOUR_MS });
    return tracker.result('magma', orderId);
  });
  expect(result.outcome).toBe('timed_out');
  expect(result.polls).toBe(0);
  const elapsed = Date.parse(result.finishedAt) - Date.parse(result.startedAt);
  expect(elapsed).toBeLessThan(2 * HOUR_MS + 60_000);
  // Backoff caps at a request a minute: an outage is not hammered.
  expect(sandbox.requests(orderId).length).toBeLessThanOrEqual(2 * 60 + 10);
  saveHistory('outage-timed-out', await environment.client.workflow.getHandle(orderWorkflowId('magma', orderId)).fetchHistory());
});

test('cancel mid-wait ends tracking_cancelled without another poll', async () => {
  const orderId = uniqueId('cancel-signal');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION' }] });
  const result = await stack(async () => {
    await tracker.track('magma', orderId);
    const handle = environment.client.workflow.getHandle(orderWorkflowId('magma', orderId));
    // The polls of a wait are its retries: the client reads them from the pending activity.
    await waitFor(async () => (await tracker.progress('magma', orderId)).polls >= 2);
    const requestsBefore = sandbox.requests(orderId).length;
    await handle.signal(cancelSignal, { reason: 'merchant closed the order' });
    const outcome = await tracker.result('magma', orderId);
    expect(sandbox.requests(orderId).length).toBe(requestsBefore);
    return outcome;
  });
  expect(result.outcome).toBe('tracking_cancelled');
  expect(await ledger.find('magma', orderId)).toMatchObject({ outcome: 'tracking_cancelled', final: false });
});

test('a Temporal cancel request ends the order like the cancel signal', async () => {
  const orderId = uniqueId('cancel-request');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION' }] });
  const result = await stack(async () => {
    await tracker.track('magma', orderId);
    const handle = environment.client.workflow.getHandle(orderWorkflowId('magma', orderId));
    await waitFor(async () => (await handle.query(progressQuery)).polls >= 1);
    await handle.cancel();
    return tracker.result('magma', orderId);
  });
  expect(result.outcome).toBe('tracking_cancelled');
  expect(await ledger.find('magma', orderId)).toMatchObject({ outcome: 'tracking_cancelled' });
  saveHistory('cancel-request', await environment.client.workflow.getHandle(orderWorkflowId('magma', orderId)).fetchHistory());
});

test('a status the seed does not list keeps the order polling, shown as unrecognised', async () => {
  const orderId = uniqueId('unlisted');
  sandbox.addOrder({
    id: orderId,
    steps: [{ status: 'WAITING_FOR_SOMETHING_NEW', requests: 4 }, { status: 'CHANNEL_MONITORING_FINISHED' }],
  });
  await stack(async () => {
    await tracker.track('magma', orderId);
    const handle = environment.client.workflow.getHandle(orderWorkflowId('magma', orderId));
    await waitFor(async () => (await handle.query(progressQuery)).polls >= 1);
    const progress = await handle.query(progressQuery);
    expect(progress).toMatchObject({ status: 'WAITING_FOR_SOMETHING_NEW', phase: 'in_flight', recognised: false, outcome: null });
    const result = await tracker.result('magma', orderId);
    expect(result).toMatchObject({ outcome: 'succeeded', status: 'CHANNEL_MONITORING_FINISHED', polls: 5 });
    // Unknown statuses are polled at the seed's default 10 s.
    expect(cadenceCheck(orderId, [10_000, 10_000, 10_000, 10_000])).toBe('follows the cadence');
  });
});

test('a malformed statusPushed payload is ignored and never fails the order', async () => {
  const orderId = uniqueId('bad-push');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT', requests: 3 }, { status: 'BUYER_FAILED_TO_PAY' }] });
  const result = await stack(async () => {
    await tracker.track('magma', orderId);
    const handle = environment.client.workflow.getHandle(orderWorkflowId('magma', orderId));
    for (const payload of [null, 'COMPLETED', { status: 'VALID_CHANNEL_OPENING', phase: 'maybe', rank: 1, nextWaitMs: 1 }, { status: '', phase: 'succeeded', rank: 100, nextWaitMs: 0 }]) {
      await handle.signal(statusPushedSignal, payload);
    }
    return tracker.result('magma', orderId);
  });
  expect(result).toMatchObject({ outcome: 'failed', status: 'BUYER_FAILED_TO_PAY', pushes: 0 });
  saveHistory('bad-push', await environment.client.workflow.getHandle(orderWorkflowId('magma', orderId)).fetchHistory());
});

test('a 24 h order continues as new and keeps its progress and transitions', async () => {
  const orderId = uniqueId('long');
  // Unchanged polls cost no history now, so what fills a run is changes: the order goes back and
  // forth between two confirmation phases 60 times (a chain reorganising), 34 polls each, over a day.
  const swings = Array.from({ length: 60 }, (_, index) => ({
    status: index % 2 === 0 ? 'WAITING_FOR_ON_CHAIN_CONFIRMATION' : 'SELLER_SENT_TRANSACTION',
    requests: 34,
  }));
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_SELLER_APPROVAL', requests: 2 }, ...swings, { status: 'VALID_CHANNEL_OPENING' }] });
  // About eight events a change: a 200-event run holds some 25 of the 62 changes.
  const shortRuns = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE, ledger, settings: { continueAsNewAfterEvents: 200 } });
  const { result, progress } = await stack(async () => {
    await shortRuns.track('magma', orderId, { maxWaitMs: 30 * HOUR_MS });
    const outcome = await shortRuns.result('magma', orderId);
    return { result: outcome, progress: await shortRuns.progress('magma', orderId) };
  });
  expect(result).toMatchObject({ outcome: 'succeeded', polls: 2 + 60 * 34 + 1 });
  expect(sandbox.requests(orderId)).toHaveLength(result.polls);
  const elapsed = Date.parse(result.finishedAt) - Date.parse(result.startedAt);
  expect(elapsed).toBeGreaterThan(24 * HOUR_MS);

  const handle = environment.client.workflow.getHandle(orderWorkflowId('magma', orderId));
  const lastRun = await handle.fetchHistory();
  expect(continuedFromRunId(lastRun)).toBeDefined();
  expect(progress.startedAt).toBe(result.startedAt);
  expect(progress.polls).toBe(result.polls);
  expect(progress.transitions).toHaveLength(62);
  expect(progress.transitions.at(-1)?.status).toBe('VALID_CHANNEL_OPENING');
  // The last run's history is bounded: it continued as new at 200 events.
  expect(lastRun.events?.length).toBeLessThanOrEqual(230);
  expect(activityCount(lastRun, 'recordOutcome')).toBe(1);
  saveHistory('continued-as-new-last-run', lastRun);
});

function cadenceCheck(orderId: string, plannedMs: number[]): string | number[] {
  const gaps = clock.gapsMs(orderId);
  return followsCadence(gaps, plannedMs) ? 'follows the cadence' : gaps;
}

/** Skips time on the test server a little at a time until the check holds. */
async function waitFor(check: () => Promise<boolean>, attempts = 200): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    if (await check()) return;
    await environment.sleep(5_000);
  }
  throw new Error('condition not met in time');
}
