import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Ledger } from '../../storage/ledger/ledger';
import { createMiracleCashAdapter } from '../../providers/miraclecash/miraclecash-client';
import { OrderTracker } from '../../client/order-tracker';
import { startMiracleCashSandbox } from '../../sandbox/miraclecash';
import type { MiracleCashSandbox } from '../../sandbox/miraclecash';
import { orderWorkflowId } from '../../domain/ids';
import type { Progress, TrackOrderResult } from '../../domain/types';
import { createDevEnvironment } from '../helpers/environments';
import { temporaryLedger, uniqueId, withWorkers } from '../helpers/worker-stack';
import type { StackOptions } from '../helpers/worker-stack';
import { ScenarioOutcomes, type Settled, settle, sleep, waitFor } from '../helpers/scenarios';

const CLIENT_ID = 'integration-client';
const API_KEY = 'integration-key';
const TASK_QUEUE = uniqueId('miraclecash-integration');
const WRONG_KEY_TASK_QUEUE = uniqueId('miraclecash-wrong-key');
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** A merchant's MIRACLECASH_MAX_POLL=30s (the seed's background re-queue; the default is 5 s): the waits the cancel scenario relies on. */
const MAX_POLL_MS = 30_000;

let environment: TestWorkflowEnvironment;
let sandbox: MiracleCashSandbox;
let ledger: Ledger;
let tracker: OrderTracker;
let wrongKeyTracker: OrderTracker;
let stopWorkers: () => void;
let workersDone: Promise<unknown>;

const scenarioOutcomes = new ScenarioOutcomes();
const outcomeOf = <T>(scenario: Promise<Settled<T>> | undefined) => scenarioOutcomes.outcomeOf(scenario);

interface Finished {
  orderId: string;
  result: TrackOrderResult;
  progress: Progress;
}

async function trackToEnd(orderId: string, maxWaitMs?: number): Promise<Finished> {
  await tracker.track('miraclecash', orderId, maxWaitMs === undefined ? {} : { maxWaitMs });
  const result = await tracker.result('miraclecash', orderId);
  return { orderId, result, progress: await tracker.progress('miraclecash', orderId) };
}

function playToVerdict(prefix: string, verdict: string): Promise<Finished> {
  const orderId = uniqueId(prefix);
  sandbox.addOrder({ id: orderId, steps: [{ status: 'pending', durationMs: 7_000 }, { status: verdict }] });
  return trackToEnd(orderId);
}

/** A prompt created 24 h minus 10 s ago: the cadence places the second poll 1 s after its expiry. */
function playExpiry(): Promise<Finished> {
  const orderId = uniqueId('expiry');
  const createdAt = new Date(Date.now() - DAY_MS + 10_000).toISOString();
  sandbox.addOrder({ id: orderId, steps: [{ status: 'pending', durationMs: 10_000, fields: { createdAt } }, { status: 'expired' }] });
  return trackToEnd(orderId);
}

async function playTimeout(): Promise<Finished> {
  const orderId = uniqueId('timeout');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'pending' }] });
  return trackToEnd(orderId, 8_000);
}

/** An hour-old prompt is re-polled at the seed's 30 s re-queue (MIRACLECASH_MAX_POLL=30s here); cancelling during that wait ends it at once. */
async function playCancel() {
  const orderId = uniqueId('cancel');
  const createdAt = new Date(Date.now() - HOUR_MS).toISOString();
  sandbox.addOrder({ id: orderId, steps: [{ status: 'pending', fields: { createdAt } }] });
  await tracker.track('miraclecash', orderId);
  const waiting = await waitFor(() => tracker.progress('miraclecash', orderId), (progress) => progress.polls >= 1);
  await sleep(1_000);
  const requestsBeforeCancel = sandbox.requests(orderId).length;
  await tracker.cancel('miraclecash', orderId, 'customer closed the checkout');
  const result = await tracker.result('miraclecash', orderId);
  return { orderId, waiting, result, requestsBeforeCancel, requestsAfterCancel: sandbox.requests(orderId).length };
}

async function playWrongCredentials() {
  const orderId = uniqueId('wrong-key');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'pending', durationMs: 5_000 }, { status: 'successful' }] });
  await wrongKeyTracker.track('miraclecash', orderId);
  const progress = await waitFor(() => wrongKeyTracker.progress('miraclecash', orderId), (snapshot) => snapshot.attention !== null);
  await sleep(7_000); // past the script's success: still nothing may be recorded
  const later = await wrongKeyTracker.progress('miraclecash', orderId);
  const row = await ledger.find('miraclecash', orderId);
  await environment.client.workflow.getHandle(orderWorkflowId('miraclecash', orderId)).terminate('test over');
  return { orderId, progress, later, row };
}

/** Runs a worker stack until `stopped`; `ready` resolves once its workers run (rejects if they fail first). */
function startStack(options: StackOptions, stopped: Promise<void>): { ready: Promise<void>; done: Promise<void> } {
  let markReady!: () => void;
  const running = new Promise<void>((resolve) => (markReady = resolve));
  const done = withWorkers(options, async () => {
    markReady();
    await stopped;
  });
  const stoppedEarly = done.then(() => Promise.reject(new Error('workers stopped before they ran')));
  stoppedEarly.catch(() => undefined);
  return { ready: Promise.race([running, stoppedEarly]), done };
}

const scenarios: {
  successful?: Promise<Settled<Finished>>;
  unsuccessful?: Promise<Settled<Finished>>;
  cancelled?: Promise<Settled<Finished>>;
  expiry?: Promise<Settled<Finished>>;
  timeout?: Promise<Settled<Finished>>;
  cancel?: Promise<Settled<Awaited<ReturnType<typeof playCancel>>>>;
  wrongCredentials?: Promise<Settled<Awaited<ReturnType<typeof playWrongCredentials>>>>;
} = {};

beforeAll(async () => {
  environment = await createDevEnvironment();
  sandbox = await startMiracleCashSandbox({ clientId: CLIENT_ID, apiKey: API_KEY });
  ledger = (await temporaryLedger()).ledger;
  tracker = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE, ledger });
  wrongKeyTracker = new OrderTracker({ client: environment.client, taskQueue: WRONG_KEY_TASK_QUEUE, ledger });
  const stopped = new Promise<void>((resolve) => (stopWorkers = resolve));
  const adapter = (apiKey: string) => createMiracleCashAdapter({ url: sandbox.url, clientId: CLIENT_ID, apiKey, requestTimeoutMs: 5_000, maxPollMs: MAX_POLL_MS });
  const connection = environment.nativeConnection;
  const stacks = [
    startStack({ connection, taskQueue: TASK_QUEUE, providers: { miraclecash: adapter(API_KEY) }, ledger }, stopped),
    startStack({ connection, taskQueue: WRONG_KEY_TASK_QUEUE, providers: { miraclecash: adapter('revoked-key') }, ledger }, stopped),
  ];
  workersDone = Promise.all(stacks.map((stack) => stack.done));
  scenarioOutcomes.watch(workersDone);
  // Scripts run on the wall clock from addOrder: start them once the workers poll, not while they bundle.
  await Promise.all(stacks.map((stack) => stack.ready));
  scenarios.successful = settle(playToVerdict('successful', 'successful'));
  scenarios.unsuccessful = settle(playToVerdict('unsuccessful', 'unsuccessful'));
  scenarios.cancelled = settle(playToVerdict('cancelled', 'cancelled'));
  scenarios.expiry = settle(playExpiry());
  scenarios.timeout = settle(playTimeout());
  scenarios.cancel = settle(playCancel());
  scenarios.wrongCredentials = settle(playWrongCredentials());
}, 120_000);

afterAll(async () => {
  stopWorkers?.();
  await workersDone?.catch(() => undefined);
  await sandbox?.close();
  await ledger?.close();
  await environment?.teardown();
});

test('a paid prompt ends succeeded, recorded once with its blockchain and expiry', async () => {
  const { orderId, result, progress } = await outcomeOf(scenarios.successful);
  expect(result).toMatchObject({ outcome: 'succeeded', status: 'successful', phase: 'succeeded', recorded: true });
  expect(result.polls).toBeGreaterThanOrEqual(2);
  expect(result.details).toMatchObject({ blockchainId: 'eth', createdAt: expect.any(String), expiresAt: expect.any(String) });
  expect(Date.parse(String(result.details.expiresAt)) - Date.parse(String(result.details.createdAt))).toBe(DAY_MS);
  expect(progress.transitions.map((transition) => transition.status)).toEqual(['pending', 'successful']);
  expect(await ledger.find('miraclecash', orderId)).toMatchObject({ outcome: 'succeeded', final: true, status: 'successful' });
}, 60_000);

test.each([
  ['unsuccessful', () => scenarios.unsuccessful],
  ['cancelled', () => scenarios.cancelled],
])('a prompt that ends %s ends failed, recorded as final', async (status, scenario) => {
  const { orderId, result } = await outcomeOf(scenario());
  expect(result).toMatchObject({ outcome: 'failed', status, phase: 'failed' });
  expect(await ledger.find('miraclecash', orderId)).toMatchObject({ outcome: 'failed', final: true, status });
}, 60_000);

test('an expired prompt ends failed, seen by a poll placed 1 s after its 24 h expiry', async () => {
  const { orderId, result, progress } = await outcomeOf(scenarios.expiry);
  expect(result).toMatchObject({ outcome: 'failed', status: 'expired', polls: 2 });
  const [first, second] = sandbox.requests(orderId);
  const expiresAt = Date.parse(String(progress.details.expiresAt));
  expect(second!.at).toBeGreaterThanOrEqual(expiresAt + 1_000);
  // The wait's first attempt only schedules the request: its dispatch adds a little on a busy machine.
  expect(second!.at - expiresAt).toBeLessThan(6_000);
  // One wait up to the expiry, not 5 s polls in between: nothing can change before it.
  expect(second!.at - first!.at).toBeGreaterThan(6_000);
  expect(await ledger.find('miraclecash', orderId)).toMatchObject({ outcome: 'failed', status: 'expired' });
}, 60_000);

test('a prompt still pending at its max wait ends timed_out, recorded as not final', async () => {
  const { orderId, result } = await outcomeOf(scenarios.timeout);
  expect(result).toMatchObject({ outcome: 'timed_out', status: 'pending' });
  const elapsed = Date.parse(result.finishedAt) - Date.parse(result.startedAt);
  expect(elapsed).toBeGreaterThanOrEqual(8_000);
  // The last poll at the deadline waits at most the 5 s floor after the one before.
  expect(elapsed).toBeLessThan(8_000 + 5_000 + 5_000);
  expect(await ledger.find('miraclecash', orderId)).toMatchObject({ outcome: 'timed_out', final: false });
}, 60_000);

test('an hour-old prompt is re-polled at its 30 s cap (MIRACLECASH_MAX_POLL=30s), not 2 min; cancel during the wait ends tracking_cancelled without another poll', async () => {
  const { orderId, waiting, result, requestsBeforeCancel, requestsAfterCancel } = await outcomeOf(scenarios.cancel);
  const wait = Date.parse(String(waiting.nextPollAt)) - Date.parse(String(waiting.lastPolledAt));
  // The wait's next attempt, as the server scheduled it: a dispatch after the planned 30 s.
  expect(wait).toBeGreaterThanOrEqual(29_000);
  expect(wait).toBeLessThanOrEqual(32_000);
  expect(result.outcome).toBe('tracking_cancelled');
  expect(requestsAfterCancel).toBe(requestsBeforeCancel);
  expect(await ledger.find('miraclecash', orderId)).toMatchObject({ outcome: 'tracking_cancelled', final: false });
}, 60_000);

test('refused credentials: the simulator answers 401, the order asks for attention, nothing is recorded', async () => {
  const { orderId, progress, later, row } = await outcomeOf(scenarios.wrongCredentials);
  expect(progress).toMatchObject({ attention: 'credentials refused', outcome: null, status: null, polls: 0 });
  expect(later).toMatchObject({ attention: 'credentials refused', outcome: null });
  const requests = sandbox.requests(orderId);
  expect(requests.length).toBeGreaterThanOrEqual(1);
  expect(requests.every((request) => request.httpStatus === 401)).toBe(true);
  expect(row).toBeUndefined();
}, 60_000);

test('every order kept the 5 s floor: no two requests for one prompt less than 5 s apart', async () => {
  await Promise.race([Promise.all(Object.values(scenarios)), scenarioOutcomes.workerFailure]);
  const byOrder = new Map<string, number[]>();
  for (const request of sandbox.requests()) {
    if (request.orderId === undefined) continue;
    byOrder.set(request.orderId, [...(byOrder.get(request.orderId) ?? []), request.at]);
  }
  expect(byOrder.size).toBeGreaterThanOrEqual(7);
  const gaps = [...byOrder.values()].flatMap((times) => times.slice(1).map((time, index) => time - times[index]!));
  expect(gaps.length).toBeGreaterThanOrEqual(5);
  const tooClose = [...byOrder.entries()].filter(([, times]) => times.slice(1).some((time, index) => time - times[index]! < 5_000));
  expect(tooClose.map(([orderId]) => sandbox.requests(orderId).map((request) => `${request.at} ${request.httpStatus} ${request.fault ?? ''}`))).toEqual([]);
  expect(Math.min(...gaps)).toBeGreaterThanOrEqual(5_000);
}, 60_000);
