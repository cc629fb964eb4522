/**
 * trackOrder on the real dev server against the Magma simulator over HTTP, in real time. The
 * simulator's request log, not the tracker's own account, proves the request floor and Retry-After.
 * Tests run concurrently on one worker stack; each script takes a few steps of a few seconds.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Ledger } from '../../storage/ledger/ledger';
import type { ProviderAdapter, ProviderRegistry } from '../../providers/provider';
import { ProviderCallError } from '../../providers/provider-error';
import { OrderTracker } from '../../client/order-tracker';
import { startMagmaSandbox, type MagmaSandbox } from '../../sandbox/magma';
import type { RequestLogEntry } from '../../sandbox/request-log';
import { orderWorkflowId } from '../../domain/ids';
import { progressQuery } from '../../workflows/messages';
import type { Progress } from '../../domain/types';
import { createDevEnvironment } from '../helpers/environments';
import { eventually } from '../helpers/eventually';
import { timerDurationsMs } from '../helpers/history';
import { type RunningWorkers, startWorkers } from '../helpers/running-workers';
import { magmaProviders, temporaryLedger, uniqueId, withWorkers } from '../helpers/worker-stack';

const API_KEY = 'integration-test-key';
const TASK_QUEUE = 'magma-integration';
/** Polls here carry a key Magma refuses. */
const WRONG_KEY_TASK_QUEUE = 'magma-integration-wrong-key';
/** The contract's floor: never more than one provider request per order per 5 s. */
const FLOOR_MS = 5_000;
/** Long enough for the slowest script here (~25 s) on a busy machine. */
const TEST_TIMEOUT_MS = 90_000;

let environment: TestWorkflowEnvironment;
let sandbox: MagmaSandbox;
let ledger: Ledger;
let workers: RunningWorkers;
let tracker: OrderTracker;
/** Every error the Magma adapter threw, per order: how the real HTTP answers were classified. */
const providerErrors = new Map<string, ProviderCallError[]>();

function recording(registry: ProviderRegistry): ProviderRegistry {
  const magma = registry.magma as ProviderAdapter;
  return {
    magma: {
      name: 'magma',
      async fetchOrder(orderId, signal) {
        try {
          return await magma.fetchOrder(orderId, signal);
        } catch (error) {
          if (error instanceof ProviderCallError) providerErrors.set(orderId, [...(providerErrors.get(orderId) ?? []), error]);
          throw error;
        }
      },
    },
  };
}

function errorsOf(orderId: string): { kind: string; httpStatus?: number; retryAfterMs?: number }[] {
  return (providerErrors.get(orderId) ?? []).map((error) => ({ kind: error.kind, ...error.details }));
}

beforeAll(async () => {
  environment = await createDevEnvironment();
  sandbox = await startMagmaSandbox({ apiKey: API_KEY });
  ledger = (await temporaryLedger()).ledger;
  workers = await startWorkers({
    connection: environment.nativeConnection,
    taskQueue: TASK_QUEUE,
    providers: recording(magmaProviders(sandbox.url, API_KEY)),
    ledger,
  });
  tracker = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE, ledger });
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
  return environment.client.workflow.getHandle(orderWorkflowId('magma', orderId));
}

function progressOf(orderId: string): Promise<Progress> {
  return handleOf(orderId).query(progressQuery);
}

/** Milliseconds between consecutive requests of one order, by arrival. */
function gapsMs(requests: RequestLogEntry[]): number[] {
  return requests.slice(1).map((request, index) => request.at - (requests[index] as RequestLogEntry).at);
}

function expectFloorHeld(requests: RequestLogEntry[]): void {
  for (const gap of gapsMs(requests)) expect(gap).toBeGreaterThanOrEqual(FLOOR_MS);
}

async function listedIds(filter: Parameters<OrderTracker['list']>[0]): Promise<string[]> {
  return (await tracker.list({ limit: 1_000, ...filter })).map((order) => order.workflowId);
}

test.concurrent(
  'fast phases are polled every 7.5 s, never within 5 s, through to success; the ledger row is final',
  async () => {
    const orderId = uniqueId('fast');
    sandbox.addOrder({
      id: orderId,
      steps: [
        { status: 'WAITING_FOR_SELLER_APPROVAL', requests: 1 },
        { status: 'WAITING_FOR_BUYER_PAYMENT', requests: 1, fields: { payment_status: 'PENDING' } },
        { status: 'WAITING_FOR_CHANNEL_OPEN', requests: 1, fields: { payment_status: 'SUCCESSFUL_PAYMENT' } },
        { status: 'VALID_CHANNEL_OPENING', fields: { transaction_id: 'tx-fast', channel_id: '850000x1x0' } },
      ],
    });

    const tracked = await tracker.track('magma', orderId, { reference: 'merchant-fast' });
    expect(tracked).toMatchObject({ kind: 'tracking', workflowId: `order:magma:${orderId}` });
    const result = await tracker.result('magma', orderId);

    expect(result).toMatchObject({ outcome: 'succeeded', recorded: true, status: 'VALID_CHANNEL_OPENING', polls: 4, pushes: 0 });
    const requests = sandbox.requests(orderId);
    expect(requests.map((request) => request.httpStatus)).toEqual([200, 200, 200, 200]);
    expectFloorHeld(requests);
    // The seed's fast-phase cadence, not just the floor, in the log; the waits were the poll's retries, not timers.
    expect(timerDurationsMs(await handleOf(orderId).fetchHistory())).toEqual([]);
    for (const gap of gapsMs(requests)) expect(gap).toBeGreaterThanOrEqual(7_500);

    const statuses = ['WAITING_FOR_SELLER_APPROVAL', 'WAITING_FOR_BUYER_PAYMENT', 'WAITING_FOR_CHANNEL_OPEN', 'VALID_CHANNEL_OPENING'];
    const row = await ledger.find('magma', orderId);
    expect(row).toMatchObject({
      orderKey: `magma:${orderId}`,
      outcome: 'succeeded',
      final: true,
      status: 'VALID_CHANNEL_OPENING',
      reference: 'merchant-fast',
      workflowId: `order:magma:${orderId}`,
      observation: { status: 'VALID_CHANNEL_OPENING', phase: 'succeeded', details: { channel_id: '850000x1x0', transaction_id: 'tx-fast' } },
    });
    expect(row?.transitions.map((transition) => transition.status)).toEqual(statuses);
    expect(row?.transitions.every((transition) => transition.source === 'poll')).toBe(true);

    const progress = await progressOf(orderId);
    expect(progress).toMatchObject({ outcome: 'succeeded', attention: null, fulfilment: { recorded: true } });
    expect(progress.transitions.map((transition) => transition.status)).toEqual(statuses);
  },
  TEST_TIMEOUT_MS,
);

test.concurrent(
  'a 429 is survived and its Retry-After honoured',
  async () => {
    const orderId = uniqueId('throttled');
    sandbox.addOrder({
      id: orderId,
      steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT', requests: 1 }, { status: 'VALID_CHANNEL_OPENING' }],
    });
    sandbox.setFault({ kind: 'rate_limit', retryAfterSeconds: 12, count: 1 }, orderId);

    // A 429 pauses every Magma poll of its worker: a stack of its own keeps the other tests' counts exact.
    const taskQueue = 'magma-integration-throttled';
    const throttledTracker = new OrderTracker({ client: environment.client, taskQueue, ledger });
    const result = await withWorkers(
      { connection: environment.nativeConnection, taskQueue, providers: recording(magmaProviders(sandbox.url, API_KEY)), ledger },
      async () => {
        await throttledTracker.track('magma', orderId);
        return throttledTracker.result('magma', orderId);
      },
    );

    // Every request counts as a poll, the refused one too.
    expect(result).toMatchObject({ outcome: 'succeeded', status: 'VALID_CHANNEL_OPENING', polls: 3 });
    const requests = sandbox.requests(orderId);
    expect(requests.map((request) => [request.httpStatus, request.fault])).toEqual([
      [429, 'rate_limit'],
      [200, undefined],
      [200, undefined],
    ]);
    expect(errorsOf(orderId)).toEqual([{ kind: 'rate_limited', httpStatus: 429, retryAfterMs: 12_000 }]);
    expect(gapsMs(requests)[0]).toBeGreaterThanOrEqual(12_000);
    expectFloorHeld(requests);
    expect(await ledger.find('magma', orderId)).toMatchObject({ outcome: 'succeeded', final: true, status: 'VALID_CHANNEL_OPENING' });
  },
  TEST_TIMEOUT_MS,
);

test.concurrent(
  'two 500s are retried with backoff, above the floor, and the order still succeeds',
  async () => {
    const orderId = uniqueId('server-error');
    sandbox.addOrder({
      id: orderId,
      steps: [{ status: 'WAITING_FOR_CHANNEL_OPEN', requests: 1 }, { status: 'CHANNEL_MONITORING_FINISHED' }],
    });
    sandbox.setFault({ kind: 'server_error', count: 2 }, orderId);

    await tracker.track('magma', orderId);
    const result = await tracker.result('magma', orderId);

    // Every request counts as a poll, the failed ones too.
    expect(result).toMatchObject({ outcome: 'succeeded', status: 'CHANNEL_MONITORING_FINISHED', polls: 4 });
    const requests = sandbox.requests(orderId);
    expect(requests.map((request) => request.httpStatus)).toEqual([500, 500, 200, 200]);
    expect(errorsOf(orderId)).toEqual([
      { kind: 'unavailable', httpStatus: 500, retryAfterMs: undefined },
      { kind: 'unavailable', httpStatus: 500, retryAfterMs: undefined },
    ]);
    expectFloorHeld(requests);
    // The retry policy starts at the floor and doubles.
    expect(gapsMs(requests)[1]).toBeGreaterThanOrEqual(2 * FLOOR_MS);
    expect(await ledger.find('magma', orderId)).toMatchObject({ outcome: 'succeeded', final: true });
  },
  TEST_TIMEOUT_MS,
);

test.concurrent(
  'a malformed JSON answer and a schema-drift answer are retried and the order finishes',
  async () => {
    const orderId = uniqueId('garbled');
    sandbox.addOrder({
      id: orderId,
      steps: [{ status: 'WAITING_FOR_SELLER_APPROVAL', requests: 1 }, { status: 'VALID_CHANNEL_OPENING' }],
    });
    sandbox.setFault({ kind: 'malformed', count: 1 }, orderId);
    sandbox.setFault({ kind: 'schema_drift', count: 1 }, orderId);

    await tracker.track('magma', orderId);
    const result = await tracker.result('magma', orderId);

    expect(result).toMatchObject({ outcome: 'succeeded', status: 'VALID_CHANNEL_OPENING', polls: 4 });
    const requests = sandbox.requests(orderId);
    expect(requests.map((request) => request.fault)).toEqual(['malformed', 'schema_drift', undefined, undefined]);
    expect(errorsOf(orderId).map((error) => error.kind)).toEqual(['invalid_response', 'invalid_response']);
    expectFloorHeld(requests);
    const row = await ledger.find('magma', orderId);
    expect(row).toMatchObject({ outcome: 'succeeded', final: true });
    expect(row?.transitions.map((transition) => transition.status)).toEqual(['WAITING_FOR_SELLER_APPROVAL', 'VALID_CHANNEL_OPENING']);
  },
  TEST_TIMEOUT_MS,
);

test.concurrent(
  'refused credentials flag the order for attention without ending or fulfilling it; tracking resumes once they work',
  async () => {
    const orderId = uniqueId('refused');
    const attentiveTracker = new OrderTracker({
      client: environment.client,
      taskQueue: TASK_QUEUE,
      ledger,
      settings: { attentionRecheckMs: 6_000 },
    });
    sandbox.addOrder({
      id: orderId,
      steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT', requests: 1 }, { status: 'VALID_CHANNEL_OPENING' }],
    });
    sandbox.setFault({ kind: 'auth_refused' }, orderId);

    await attentiveTracker.track('magma', orderId);
    // Two refusals: the first, and the slow re-check after it.
    await eventually('the credentials were refused twice', () => sandbox.requests(orderId).length >= 2);
    await eventually('progress shows the attention', async () => (await progressOf(orderId)).attention === 'credentials refused');
    const refused = sandbox.requests(orderId);
    expect(refused.map((request) => request.httpStatus)).toEqual([401, 401]);
    expect(errorsOf(orderId).map((error) => error.kind)).toEqual(['credentials_refused', 'credentials_refused']);
    expect(gapsMs(refused)[0]).toBeGreaterThanOrEqual(6_000);
    expect(await progressOf(orderId)).toMatchObject({ attention: 'credentials refused', outcome: null, status: null, polls: 0 });
    expect((await handleOf(orderId).describe()).status.name).toBe('RUNNING');
    expect(await ledger.find('magma', orderId)).toBeUndefined();

    sandbox.clearFaults(orderId);
    const result = await attentiveTracker.result('magma', orderId);

    expect(result).toMatchObject({ outcome: 'succeeded', status: 'VALID_CHANNEL_OPENING', polls: 2, attention: null });
    const requests = sandbox.requests(orderId);
    expect(requests.map((request) => request.httpStatus)).toEqual([401, 401, 200, 200]);
    expectFloorHeld(requests);
    expect(await ledger.find('magma', orderId)).toMatchObject({ outcome: 'succeeded', final: true });
  },
  TEST_TIMEOUT_MS,
);

test.concurrent(
  'an order whose credentials stay refused ends timed_out at its max wait, never failed',
  async () => {
    const orderId = uniqueId('wrong-key');
    sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT' }] });
    const wrongKeyTracker = new OrderTracker({ client: environment.client, taskQueue: WRONG_KEY_TASK_QUEUE, ledger });

    const result = await withWorkers(
      {
        connection: environment.nativeConnection,
        taskQueue: WRONG_KEY_TASK_QUEUE,
        providers: recording(magmaProviders(sandbox.url, 'not-the-key')),
        ledger,
      },
      async () => {
        await wrongKeyTracker.track('magma', orderId, { maxWaitMs: 15_000 });
        return wrongKeyTracker.result('magma', orderId);
      },
    );

    expect(result).toMatchObject({ outcome: 'timed_out', status: null, polls: 0, attention: 'credentials refused' });
    const elapsed = Date.parse(result.finishedAt) - Date.parse(result.startedAt);
    expect(elapsed).toBeGreaterThanOrEqual(15_000);
    expect(elapsed).toBeLessThan(25_000);
    const requests = sandbox.requests(orderId);
    expect(requests.length).toBeGreaterThanOrEqual(1);
    expect(requests.every((request) => request.httpStatus === 401 && request.fault === undefined)).toBe(true);
    expect(errorsOf(orderId).every((error) => error.kind === 'credentials_refused')).toBe(true);
    expectFloorHeld(requests);
    // Not final: the order may be tracked again once the key is fixed.
    expect(await ledger.find('magma', orderId)).toMatchObject({ outcome: 'timed_out', final: false, status: null });
  },
  TEST_TIMEOUT_MS,
);

test.concurrent(
  'a failure status ends the order failed with a final ledger row',
  async () => {
    const orderId = uniqueId('unpaid');
    // Timed steps: the poll is placed a second after the phase's expiry (`timeout`).
    sandbox.addOrder({
      id: orderId,
      steps: [
        { status: 'WAITING_FOR_BUYER_PAYMENT', durationMs: 6_000, fields: { payment_status: 'PENDING' } },
        { status: 'BUYER_FAILED_TO_PAY', fields: { payment_status: 'HODL_INVOICE_TIMEOUT' } },
      ],
    });

    await tracker.track('magma', orderId);
    const result = await tracker.result('magma', orderId);

    expect(result).toMatchObject({ outcome: 'failed', status: 'BUYER_FAILED_TO_PAY', phase: 'failed' });
    expect(result.details).toMatchObject({ payment_status: 'HODL_INVOICE_TIMEOUT' });
    expectFloorHeld(sandbox.requests(orderId));
    const row = await ledger.find('magma', orderId);
    expect(row).toMatchObject({ outcome: 'failed', final: true, status: 'BUYER_FAILED_TO_PAY' });
    expect(row?.transitions.map((transition) => transition.status)).toEqual(['WAITING_FOR_BUYER_PAYMENT', 'BUYER_FAILED_TO_PAY']);
  },
  TEST_TIMEOUT_MS,
);

test.concurrent(
  'tracking a running order again returns the same run; tracking a finished final order starts nothing',
  async () => {
    const orderId = uniqueId('twice');
    sandbox.addOrder({
      id: orderId,
      steps: [{ status: 'WAITING_FOR_SELLER_APPROVAL', requests: 1 }, { status: 'CHANNEL_MONITORING_FINISHED' }],
    });

    const first = await tracker.track('magma', orderId);
    const second = await tracker.track('magma', orderId);
    if (first.kind !== 'tracking') throw new Error(`expected a started workflow, got ${JSON.stringify(first)}`);
    // The second track joins the first one's run and says so: same settings, nothing handed over or kept back.
    expect(second).toEqual({ ...first, joined: { startedBy: 'track', handedOver: [], kept: {} } });
    const result = await tracker.result('magma', orderId);
    expect(result.outcome).toBe('succeeded');
    const requestsBefore = sandbox.requests(orderId).length;

    const again = await tracker.track('magma', orderId);
    expect(again).toMatchObject({ kind: 'recorded', workflowId: orderWorkflowId('magma', orderId), row: { outcome: 'succeeded', final: true } });
    // The latest run of the workflow id is still the first one, and nothing asked Magma again.
    const description = await handleOf(orderId).describe();
    expect(description.runId).toBe(first.runId);
    expect(description.status.name).toBe('COMPLETED');
    expect(sandbox.requests(orderId)).toHaveLength(requestsBefore);
  },
  TEST_TIMEOUT_MS,
);

test.concurrent(
  'list filters orders by provider, status and outcome through visibility',
  async () => {
    const failedId = uniqueId('list-failed');
    const runningId = uniqueId('list-running');
    const failedWorkflowId = orderWorkflowId('magma', failedId);
    const runningWorkflowId = orderWorkflowId('magma', runningId);
    sandbox.addOrder({ id: failedId, steps: [{ status: 'SELLER_REJECTED' }] });
    // Block-bound: polled every 45 s, so it stays running and unpolled for the rest of the test.
    sandbox.addOrder({ id: runningId, steps: [{ status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION', fields: { confirmations: { confirmations: 1 } } }] });

    await tracker.track('magma', failedId);
    await tracker.track('magma', runningId);
    expect(await tracker.result('magma', failedId)).toMatchObject({ outcome: 'failed', status: 'SELLER_REJECTED' });
    await eventually('the running order was polled', async () => (await progressOf(runningId)).polls >= 1);

    await eventually('visibility shows both orders under their provider, status and outcome', async () => {
      const magma = await listedIds({ provider: 'magma' });
      const rejected = await listedIds({ status: 'SELLER_REJECTED' });
      const confirming = await listedIds({ status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION' });
      const failed = await listedIds({ outcome: 'failed' });
      return (
        magma.includes(failedWorkflowId) &&
        magma.includes(runningWorkflowId) &&
        rejected.includes(failedWorkflowId) &&
        confirming.includes(runningWorkflowId) &&
        failed.includes(failedWorkflowId)
      );
    });
    expect(await listedIds({ status: 'SELLER_REJECTED' })).not.toContain(runningWorkflowId);
    expect(await listedIds({ status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION' })).not.toContain(failedWorkflowId);
    expect(await listedIds({ outcome: 'failed' })).not.toContain(runningWorkflowId);
    expect(await listedIds({ outcome: 'succeeded' })).not.toContain(failedWorkflowId);
    const houdini = await listedIds({ provider: 'houdini' });
    expect(houdini).not.toContain(failedWorkflowId);
    expect(houdini).not.toContain(runningWorkflowId);
    const combined = await tracker.list({ provider: 'magma', status: 'SELLER_REJECTED', outcome: 'failed', limit: 1_000 });
    expect(combined.find((order) => order.workflowId === failedWorkflowId)).toMatchObject({
      provider: 'magma',
      status: 'SELLER_REJECTED',
      outcome: 'failed',
      executionStatus: 'COMPLETED',
    });
    const running = (await tracker.list({ provider: 'magma', limit: 1_000 })).find((order) => order.workflowId === runningWorkflowId);
    expect(running).toMatchObject({ status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION', outcome: null, executionStatus: 'RUNNING' });

    await tracker.cancel('magma', runningId, 'list test done');
    expect(await tracker.result('magma', runningId)).toMatchObject({ outcome: 'tracking_cancelled' });
    await eventually('visibility shows the cancelled order by its outcome', async () =>
      (await listedIds({ outcome: 'tracking_cancelled', status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION' })).includes(runningWorkflowId),
    );
  },
  TEST_TIMEOUT_MS,
);

test(
  'after a worker outage longer than the max wait, the last poll at the deadline turns an order paid meanwhile into succeeded',
  async () => {
    const taskQueue = 'magma-integration-outage';
    const outageTracker = new OrderTracker({ client: environment.client, taskQueue, ledger });
    const orderId = uniqueId('paid-during-outage');
    // The second request, whenever it comes, finds the channel open.
    sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT', requests: 1 }, { status: 'VALID_CHANNEL_OPENING' }] });
    const stack = <T>(body: () => Promise<T>) =>
      withWorkers({ connection: environment.nativeConnection, taskQueue, providers: magmaProviders(sandbox.url, API_KEY), ledger }, body);
    await stack(async () => {
      await outageTracker.track('magma', orderId, { maxWaitMs: 12_000 });
      await eventually('the first poll', async () => (await outageTracker.progress('magma', orderId)).polls >= 1);
    });
    // No worker past the max wait: nobody polls while the order pays.
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    expect(sandbox.requests(orderId)).toHaveLength(1);
    const result = await stack(() => outageTracker.result('magma', orderId));
    expect(result).toMatchObject({ outcome: 'succeeded', status: 'VALID_CHANNEL_OPENING', polls: 2 });
    expect(await ledger.find('magma', orderId)).toMatchObject({ outcome: 'succeeded', final: true });
  },
  TEST_TIMEOUT_MS,
);

test.concurrent(
  'a push every 500 ms for 60 s at one order never brings two provider requests for it less than 5 s apart',
  async () => {
    const orderId = uniqueId('push-storm');
    sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION' }] });
    await tracker.track('magma', orderId);
    await eventually('the first poll', async () => (await tracker.progress('magma', orderId)).polls >= 1);
    const PUSHES = 120;
    for (let index = 0; index < PUSHES; index += 1) {
      // Each one newer than anything before and asking for a poll at once: the worst a provider can do.
      await tracker.push('magma', orderId, { status: `STEP_${index}`, phase: 'in_flight', recognised: true, rank: 100 + index, nextWaitMs: 0, details: {} });
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await eventually('every push seen', async () => (await tracker.progress('magma', orderId)).pushes === PUSHES);
    await tracker.cancel('magma', orderId, 'push storm test done');
    await tracker.result('magma', orderId);
    const requests = sandbox.requests(orderId);
    // Pushed far more often than any cadence, the order still asked (the storm did not starve it)
    // and at most once per floor.
    expect(requests.length).toBeGreaterThanOrEqual(2);
    expectFloorHeld(requests);
  },
  150_000,
);
