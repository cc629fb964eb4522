/**
 * The provider-wide request budget: 50 OZZOBiT orders (each wanting a request every 5 s, 10/s in
 * all) on a budget of 2 requests/s, enforced by the server on the provider's poll task queue (one
 * partition on the dev server). Read from the simulator's request log, not the tracker's account.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Ledger } from '../../storage/ledger/ledger';
import { createOzzobitAdapter } from '../../providers/ozzobit/ozzobit-client';
import { OrderTracker } from '../../client/order-tracker';
import { startOzzobitSandbox, type OzzobitSandbox } from '../../sandbox/ozzobit';
import { createDevEnvironment } from '../helpers/environments';
import { temporaryLedger, uniqueId, withWorkers } from '../helpers/worker-stack';

const SECRET_KEY = 'budget-secret';
const BUDGET_PER_SECOND = 2;
const ORDERS = 50;
const RUN_MS = 30_000;
const RETRY_AFTER_SECONDS = 8;

let environment: TestWorkflowEnvironment;
let sandbox: OzzobitSandbox;
let ledger: Ledger;

beforeAll(async () => {
  environment = await createDevEnvironment();
  sandbox = await startOzzobitSandbox({ secretKey: SECRET_KEY, apiKey: 'budget-api-key' });
  ledger = (await temporaryLedger()).ledger;
});

afterAll(async () => {
  await sandbox?.close();
  await ledger?.close();
  await environment?.teardown();
});

/** The most requests seen in any window of `windowMs` (each window starts at a request). */
function busiestWindow(times: number[], windowMs: number): number {
  let most = 0;
  for (let start = 0, end = 0; start < times.length; start += 1) {
    while (end < times.length && (times[end] as number) < (times[start] as number) + windowMs) end += 1;
    most = Math.max(most, end - start);
  }
  return most;
}

test('50 orders on a 2 requests/s budget: never more than 2 × 5 + 1 requests in any 5 s, and a 429 pauses every order', async () => {
  const taskQueue = uniqueId('budget');
  const orderIds = Array.from({ length: ORDERS }, (_, index) => `${taskQueue}-order-${index}`);
  for (const id of orderIds) sandbox.addOrder({ id, steps: [{ status: 'PROCESSING' }] });
  const tracker = new OrderTracker({ client: environment.client, taskQueue, ledger });
  const startedAt = Date.now();

  await withWorkers(
    {
      connection: environment.nativeConnection,
      taskQueue,
      providers: { ozzobit: createOzzobitAdapter({ url: sandbox.url, secretKey: SECRET_KEY }) },
      ledger,
      requestsPerSecond: BUDGET_PER_SECOND,
    },
    async () => {
      await Promise.all(orderIds.map((id) => tracker.track('ozzobit', id, { maxWaitMs: 10 * 60_000 })));
      // Let the budget saturate, then make the next request (whichever order's it is) come back 429.
      await sleep(RUN_MS / 3);
      sandbox.setFault({ kind: 'rate_limit', retryAfterSeconds: RETRY_AFTER_SECONDS, count: 1 });
      await sleep((RUN_MS * 2) / 3);
      await Promise.all(orderIds.map((id) => tracker.cancel('ozzobit', id)));
    },
  );

  const log = sandbox.requests().filter((entry) => entry.orderId?.startsWith(taskQueue) && entry.at >= startedAt);
  const times = log.map((entry) => entry.at).sort((a, b) => a - b);
  // Demand was 10/s: the budget, not the orders, set the pace.
  expect(times.length).toBeGreaterThan(20);
  expect(busiestWindow(times, 5_000)).toBeLessThanOrEqual(BUDGET_PER_SECOND * 5 + 1);

  const limited = log.find((entry) => entry.httpStatus === 429);
  expect(limited).toBeDefined();
  const pauseStart = (limited?.at ?? 0) + 500;
  const pauseEnd = (limited?.at ?? 0) + RETRY_AFTER_SECONDS * 1000 - 500;
  const duringPause = log.filter((entry) => entry.at > pauseStart && entry.at < pauseEnd);
  // Requests already past the gate when the 429 arrived may land just after it; none start later.
  expect(duringPause).toEqual([]);
}, 120_000);
