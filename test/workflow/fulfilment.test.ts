/**
 * Fulfilment steps on the time-skipping server: recordOutcome, then the signed callback (retried
 * until a 2xx, stopped by a final 4xx), then the worker's hook — each once per recorded outcome.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FulfilmentHooks, HookContext } from '../../activities';
import { createCallbackSender } from '../../callbacks/callback-sender';
import type { Ledger } from '../../storage/ledger/ledger';
import { OrderTracker } from '../../client/order-tracker';
import { startMagmaSandbox, type MagmaSandbox } from '../../sandbox/magma';
import { orderWorkflowId } from '../../domain/ids';
import { startCallbackReceiver, type CallbackReceiver } from '../../harness/servers/callback-receiver';
import { createTimeSkippingEnvironment } from '../helpers/environments';
import { activityCount, patchMarkers, saveHistory } from '../helpers/history';
import { HOOKS_WHERE_SET_PATCH } from '../../workflows/patches';
import { magmaProviders, temporaryLedger, uniqueId, withWorkers } from '../helpers/worker-stack';

const API_KEY = 'fulfilment-test-key';
const SECRET = 'callback-secret';
const TASK_QUEUE = 'fulfilment-test';

let environment: TestWorkflowEnvironment;
let sandbox: MagmaSandbox;
let receiver: CallbackReceiver;
let ledger: Ledger;
let tracker: OrderTracker;
const hookCalls: HookContext[] = [];
let failHookTimes = 0;

const hooks: FulfilmentHooks = {
  onSucceeded: (context) => {
    hookCalls.push(context);
    if (failHookTimes > 0) {
      failHookTimes -= 1;
      throw new Error('hook target briefly down');
    }
  },
  onTimedOut: (context) => {
    hookCalls.push(context);
  },
};

beforeAll(async () => {
  environment = await createTimeSkippingEnvironment();
  sandbox = await startMagmaSandbox({ apiKey: API_KEY });
  receiver = await startCallbackReceiver(SECRET);
  ledger = (await temporaryLedger()).ledger;
  tracker = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE, ledger });
});

afterAll(async () => {
  await receiver?.close();
  await sandbox?.close();
  await ledger?.close();
  await environment?.teardown();
});

beforeEach(() => {
  hookCalls.length = 0;
  failHookTimes = 0;
  receiver.answer = () => 200;
});

function stack<T>(body: () => Promise<T>, workerHooks: FulfilmentHooks = hooks): Promise<T> {
  return withWorkers(
    {
      connection: environment.nativeConnection,
      taskQueue: TASK_QUEUE,
      providers: magmaProviders(sandbox.url, API_KEY),
      ledger,
      callbackSender: createCallbackSender({ url: receiver.url, secrets: [SECRET] }),
      hooks: workerHooks,
    },
    body,
  );
}

function succeedingOrder(requestsBefore = 1): string {
  const orderId = uniqueId('fulfil');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT', requests: requestsBefore }, { status: 'VALID_CHANNEL_OPENING' }] });
  return orderId;
}

function deliveriesOf(orderId: string) {
  return receiver.received.filter((delivery) => delivery.idempotencyKey.startsWith(`magma:${orderId}:`));
}

test('a succeeded order is recorded, called back once with a signed fixed body, and its hook runs once', async () => {
  const orderId = succeedingOrder();
  const { result, progress } = await stack(async () => {
    await tracker.track('magma', orderId, { reference: 'cart-7' });
    const outcome = await tracker.result('magma', orderId);
    return { result: outcome, progress: await tracker.progress('magma', orderId) };
  });
  expect(result.outcome).toBe('succeeded');
  expect(progress.fulfilment).toEqual({ recorded: true, callback: 'delivered' });

  const deliveries = deliveriesOf(orderId);
  expect(deliveries).toHaveLength(1);
  expect(deliveries[0]).toMatchObject({ idempotencyKey: `magma:${orderId}:succeeded`, signatureValid: true, status: 200 });
  expect(JSON.parse(deliveries[0]?.body ?? '{}')).toMatchObject({
    provider: 'magma',
    orderId,
    reference: 'cart-7',
    outcome: 'succeeded',
    final: true,
    status: 'VALID_CHANNEL_OPENING',
    workflowId: orderWorkflowId('magma', orderId),
  });

  expect(hookCalls.map((call) => call.idempotencyKey)).toEqual([`magma:${orderId}:succeeded:onSucceeded`]);
  const row = await ledger.find('magma', orderId);
  expect(row).toMatchObject({ outcome: 'succeeded', final: true, callback: 'delivered', hooksDone: [`magma:${orderId}:succeeded:onSucceeded`] });

  const history = await environment.client.workflow.getHandle(orderWorkflowId('magma', orderId)).fetchHistory();
  for (const activity of ['recordOutcome', 'deliverCallback', 'runHook']) expect(activityCount(history, activity)).toBe(1);
  saveHistory('fulfilment-callback-and-hook', history);
});

test('a worker without a hook for the outcome schedules no runHook: the callback alone follows the record', async () => {
  const orderId = succeedingOrder();
  const result = await stack(async () => {
    await tracker.track('magma', orderId);
    return tracker.result('magma', orderId);
  }, { onTimedOut: hooks.onTimedOut });
  expect(result.outcome).toBe('succeeded');
  expect(deliveriesOf(orderId)).toHaveLength(1);
  expect(hookCalls).toEqual([]);
  expect(await ledger.find('magma', orderId)).toMatchObject({ outcome: 'succeeded', callback: 'delivered', hooksDone: [] });

  const history = await environment.client.workflow.getHandle(orderWorkflowId('magma', orderId)).fetchHistory();
  expect(activityCount(history, 'runHook')).toBe(0);
  for (const activity of ['recordOutcome', 'deliverCallback']) expect(activityCount(history, activity)).toBe(1);
  expect(patchMarkers(history).map((marker) => marker.id)).toContain(HOOKS_WHERE_SET_PATCH);
  saveHistory('v9-no-hook-for-the-outcome', history);
});

test('a callback is retried until a 2xx and every attempt sends the same bytes', async () => {
  const orderId = succeedingOrder();
  receiver.answer = ({ attempt }) => (attempt <= 2 ? 503 : 200);
  await stack(async () => {
    await tracker.track('magma', orderId);
    await tracker.result('magma', orderId);
  });
  const deliveries = deliveriesOf(orderId);
  expect(deliveries.map((delivery) => delivery.status)).toEqual([503, 503, 200]);
  expect(new Set(deliveries.map((delivery) => delivery.body)).size).toBe(1);
  expect(await ledger.find('magma', orderId)).toMatchObject({ callback: 'delivered' });
});

test('a final 4xx stops the retries, shows callback rejected, and leaves the outcome as it is', async () => {
  const orderId = succeedingOrder();
  receiver.answer = () => 422;
  const { result, progress } = await stack(async () => {
    await tracker.track('magma', orderId);
    const outcome = await tracker.result('magma', orderId);
    return { result: outcome, progress: await tracker.progress('magma', orderId) };
  });
  expect(result.outcome).toBe('succeeded');
  expect(progress.fulfilment.callback).toBe('rejected');
  expect(deliveriesOf(orderId)).toHaveLength(1);
  expect(await ledger.find('magma', orderId)).toMatchObject({ outcome: 'succeeded', callback: 'rejected' });
  expect((await ledger.find('magma', orderId))?.callbackDetail).toContain('422');
});

test('a failing hook is retried and then marked done once', async () => {
  const orderId = succeedingOrder();
  failHookTimes = 2;
  await stack(async () => {
    await tracker.track('magma', orderId);
    await tracker.result('magma', orderId);
  });
  expect(hookCalls).toHaveLength(3);
  expect(new Set(hookCalls.map((call) => call.idempotencyKey)).size).toBe(1);
  expect((await ledger.find('magma', orderId))?.hooksDone).toEqual([`magma:${orderId}:succeeded:onSucceeded`]);
});

test('a timed-out order tracked again that then succeeds: two callbacks with different keys, one final row', async () => {
  const orderId = uniqueId('retrack');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT', requests: 10 }, { status: 'VALID_CHANNEL_OPENING' }] });
  const { first, second } = await stack(async () => {
    await tracker.track('magma', orderId, { maxWaitMs: 30_000 });
    const firstResult = await tracker.result('magma', orderId);
    await tracker.track('magma', orderId);
    return { first: firstResult, second: await tracker.result('magma', orderId) };
  });
  expect(first.outcome).toBe('timed_out');
  expect(second.outcome).toBe('succeeded');
  const timedOutAt = (JSON.parse(deliveriesOf(orderId)[0]?.body ?? '{}') as { occurredAt?: string }).occurredAt;
  expect(deliveriesOf(orderId).map((delivery) => delivery.idempotencyKey)).toEqual([
    `magma:${orderId}:timed_out:${timedOutAt}`,
    `magma:${orderId}:succeeded`,
  ]);
  expect(hookCalls.map((call) => call.idempotencyKey)).toEqual([
    `magma:${orderId}:timed_out:${timedOutAt}:onTimedOut`,
    `magma:${orderId}:succeeded:onSucceeded`,
  ]);
  const row = await ledger.find('magma', orderId);
  expect(row).toMatchObject({ outcome: 'succeeded', final: true, callback: 'delivered' });

  // Final now: tracking again returns the recorded result and starts nothing.
  const again = await tracker.track('magma', orderId);
  expect(again.kind).toBe('recorded');
});

test('a non-final outcome recorded again: its own callback key for its own body, and its hook runs again', async () => {
  const orderId = uniqueId('twice-timed-out');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT' }] });
  const results = await stack(async () => {
    await tracker.track('magma', orderId, { maxWaitMs: 30_000 });
    const first = await tracker.result('magma', orderId);
    await tracker.track('magma', orderId, { maxWaitMs: 30_000 });
    return [first, await tracker.result('magma', orderId)];
  });
  expect(results.map((result) => result.outcome)).toEqual(['timed_out', 'timed_out']);

  const deliveries = deliveriesOf(orderId);
  expect(deliveries).toHaveLength(2);
  const bodies = deliveries.map((delivery) => JSON.parse(delivery.body) as { outcome: string; occurredAt: string });
  expect(bodies[0]?.occurredAt).not.toBe(bodies[1]?.occurredAt);
  // Two bodies, two keys: each key carries its own record's time.
  expect(deliveries.map((delivery) => delivery.idempotencyKey)).toEqual(bodies.map((body) => `magma:${orderId}:timed_out:${body.occurredAt}`));

  // The second record's hook is not taken for the first one's.
  expect(hookCalls.map((call) => call.idempotencyKey)).toEqual(bodies.map((body) => `magma:${orderId}:timed_out:${body.occurredAt}:onTimedOut`));
  expect(hookCalls.map((call) => call.callbackIdempotencyKey)).toEqual(deliveries.map((delivery) => delivery.idempotencyKey));
  expect((await ledger.find('magma', orderId))?.hooksDone).toEqual([`magma:${orderId}:timed_out:${bodies[1]?.occurredAt}:onTimedOut`]);
});

test('a receiver refusing the signature (401) is retried with attention in progress, and delivered once it takes it (issue 29, R7)', async () => {
  const orderId = succeedingOrder();
  let progressDuringRefusals: Awaited<ReturnType<OrderTracker['progress']>> | undefined;
  receiver.answer = ({ attempt }) => (attempt <= 3 ? 401 : 200);
  receiver.beforeAnswer = async ({ idempotencyKey, attempt }) => {
    if (idempotencyKey.startsWith(`magma:${orderId}:`) && attempt === 3) progressDuringRefusals = await tracker.progress('magma', orderId);
  };
  let progressAfter: Awaited<ReturnType<OrderTracker['progress']>> | undefined;
  try {
    await stack(async () => {
      await tracker.track('magma', orderId);
      await tracker.result('magma', orderId);
      progressAfter = await tracker.progress('magma', orderId);
    });
  } finally {
    receiver.beforeAnswer = undefined;
  }
  expect(deliveriesOf(orderId).map((delivery) => delivery.status)).toEqual([401, 401, 401, 200]);
  expect(progressDuringRefusals?.attention).toMatch(/callback refused.*401.*refused the signature.*FULFILLMENT_WEBHOOK_SECRET/);
  expect(await ledger.find('magma', orderId)).toMatchObject({ callback: 'delivered' });
  expect(progressAfter?.attention).toBeNull();
});

test('a receiver that keeps refusing the signature ends as rejected after its window, not at the first 401', async () => {
  const orderId = succeedingOrder();
  receiver.answer = () => 403;
  const { result, progress } = await stack(async () => {
    await tracker.track('magma', orderId);
    const outcome = await tracker.result('magma', orderId);
    return { result: outcome, progress: await tracker.progress('magma', orderId) };
  });
  expect(result.outcome).toBe('succeeded');
  expect(progress.fulfilment.callback).toBe('rejected');
  expect(deliveriesOf(orderId).length).toBeGreaterThan(5);
  expect((await ledger.find('magma', orderId))?.callbackDetail).toMatch(/403.*refused the signature/);
});

test('a delivered callback is not sent again when the ledger write after it fails (disk full; issue 29, R10)', async () => {
  const orderId = succeedingOrder();
  let failuresLeft = 4; // more than one attempt's own tries: the activity is retried
  const fullDisk: Ledger = {
    keepAnswer: (...args) => ledger.keepAnswer(...args),
    lastAnswerDigest: (...args) => ledger.lastAnswerDigest(...args),
    answers: (...args) => ledger.answers(...args),
    pruneAnswers: (...args) => ledger.pruneAnswers(...args),
    record: (...args) => ledger.record(...args),
    find: (...args) => ledger.find(...args),
    markHookDone: (...args) => ledger.markHookDone(...args),
    close: async () => undefined,
    markCallback: async (...args) => {
      if (args[3] === 'delivered' && failuresLeft > 0) {
        failuresLeft -= 1;
        throw new Error('SQLITE_FULL: database or disk is full');
      }
      return ledger.markCallback(...args);
    },
  };
  await withWorkers(
    {
      connection: environment.nativeConnection,
      taskQueue: TASK_QUEUE,
      providers: magmaProviders(sandbox.url, API_KEY),
      ledger: fullDisk,
      callbackSender: createCallbackSender({ url: receiver.url, secrets: [SECRET] }),
      hooks,
    },
    async () => {
      await tracker.track('magma', orderId);
      await tracker.result('magma', orderId);
    },
  );
  expect(failuresLeft).toBe(0);
  expect(deliveriesOf(orderId)).toHaveLength(1);
  expect(await ledger.find('magma', orderId)).toMatchObject({ callback: 'delivered' });
});
