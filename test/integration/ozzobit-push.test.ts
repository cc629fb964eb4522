/**
 * OZZOBiT pushes end to end, in real time on the dev server: the simulator posts its signed
 * webhooks to the real ingress (`POST /webhooks/ozzobit`, on 127.0.0.1), a second simulator without
 * webhooks serves socket.io to two replicas of the bridge, and the real worker stacks poll each.
 * OZZOBiT's cadence is 5 s, so anything that happens within a second or two of a poll happened
 * because of a push. The simulators' logs (requests, webhook answers, socket recipients) are the
 * evidence, beside the workflow's own progress and history.
 *
 * Every scenario starts in beforeAll and runs concurrently; each test awaits and checks its own, so
 * the file takes about as long as its slowest scenario (~3 poll cycles).
 */
import { createHmac } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import type { FulfilmentHooks } from '../../activities';
import type { Ledger } from '../../storage/ledger/ledger';
import { createOzzobitAdapter } from '../../providers/ozzobit/ozzobit-client';
import { OrderTracker } from '../../client/order-tracker';
import { startOzzobitSandbox, type OzzobitSandbox } from '../../sandbox/ozzobit';
import type { RequestLogEntry } from '../../sandbox/request-log';
import { buildIngress } from '../../workers/ingress';
import { type OzzobitBridge, OzzobitSocketRefusedError, createOzzobitBridge } from '../../providers/ozzobit/ozzobit-bridge';
import type { PushLogger } from '../../providers/push/push-logger';
import { webhookPath, webhookRoute } from '../../workers/push/webhook-routes';
import { ozzobitWebhookRoute } from '../../providers/ozzobit/ozzobit-push';
import { runningOrders } from '../../workers/push/tracked-orders';
import { createOzzobitSignatureVerifier } from '../../providers/ozzobit/ozzobit-webhook-verifier';
import { orderWorkflowId } from '../../domain/ids';
import { RETRY_DRIVEN_POLLING_PATCH } from '../../workflows/track-order';
import type { Observation, Progress, TrackOrderResult, Transition } from '../../domain/types';
import { createDevEnvironment } from '../helpers/environments';
import { eventually } from '../helpers/eventually';
import { activityCount, patchMarkers } from '../helpers/history';
import { type RunningWorkers, startWorkers } from '../helpers/running-workers';
import { temporaryLedger, uniqueId } from '../helpers/worker-stack';

const SECRET_KEY = 'push-rest-secret';
const API_KEY = 'push-socket-key';
const WEBHOOK_SECRET = 'push-webhook-secret';
const TASK_QUEUE = uniqueId('ozzobit-webhook');
const SOCKET_TASK_QUEUE = uniqueId('ozzobit-socket');
const FLOOR_MS = 5_000;
/** How soon after the simulator pushed, the order shows it. Typically ~100 ms; room for a loaded machine. */
const PUSH_LAG_LIMIT_MS = 2_000;
const LIFECYCLE = ['PROCESSING', 'PENDING_DELIVERY', 'COMPLETED'];
const TEST_TIMEOUT_MS = 60_000;
const QUICK = { timeoutMs: 20_000, intervalMs: 20 };

let environment: TestWorkflowEnvironment;
let ledger: Ledger;
let tracker: OrderTracker;
let socketTracker: OrderTracker;
let webhookSandbox: OzzobitSandbox;
let socketSandbox: OzzobitSandbox;
let ingress: FastifyInstance;
let webhookUrl: string;
let workers: RunningWorkers[] = [];
const bridges: OzzobitBridge[] = [];
const bridgeRuns: Promise<void>[] = [];
/** Hooks run per order: fulfilment happened exactly once when an order appears once. */
const hookRuns: string[] = [];
const hooks: FulfilmentHooks = { onSucceeded: ({ orderId }) => void hookRuns.push(orderId), onFailed: ({ orderId }) => void hookRuns.push(orderId) };
const quiet: PushLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
const settle = <T>(promise: Promise<T>): Promise<Settled<T>> =>
  promise.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
async function outcomeOf<T>(scenario: Promise<Settled<T>> | undefined): Promise<T> {
  const settled = await scenario;
  if (settled === undefined) throw new Error('scenario was not started');
  if (!settled.ok) throw settled.error;
  return settled.value;
}
const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

const sign = (body: string, secret = WEBHOOK_SECRET) => createHmac('sha256', secret).update(body).digest('hex');
const eventBody = (orderId: string, status: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ eventName: `ORDER_${status}`, data: { id: orderId, status }, ...extra });

/** `signature` null: sent without the header. */
async function postWebhook(body: string, signature: string | null = sign(body)): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature === null ? {} : { 'x-OZZOBiT-signature': signature }) },
    body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const handleOf = (orderId: string) => environment.client.workflow.getHandle(orderWorkflowId('ozzobit', orderId));
const isTracked = (orderId: string) => handleOf(orderId).describe().then(() => true, () => false);

/** Every run (execution) the server has for the order's workflow id. */
async function runsOf(orderId: string): Promise<number> {
  let runs = 0;
  for await (const _execution of environment.client.workflow.list({ query: `WorkflowId = '${orderWorkflowId('ozzobit', orderId)}'` })) runs += 1;
  return runs;
}

function transition(progress: Progress, status: string): Transition {
  const found = progress.transitions.find((entry) => entry.status === status);
  if (found === undefined) throw new Error(`no transition to ${status}: ${JSON.stringify(progress.transitions)}`);
  return found;
}

function expectOnlyForward(transitions: Transition[]): void {
  const positions = transitions.map((entry) => LIFECYCLE.indexOf(entry.status));
  expect(positions.every((position) => position >= 0)).toBe(true);
  expect([...positions].sort((first, second) => first - second)).toEqual(positions);
  expect(new Set(positions).size).toBe(positions.length);
}

/** When the simulator pushed the order's `status` (first time, any channel). */
function pushedAt(sandbox: OzzobitSandbox, orderId: string, status: string): number {
  const push = sandbox.pushes(orderId).find((entry) => entry.status === status && entry.replay === undefined);
  if (push === undefined) throw new Error(`no push of ${status} for ${orderId}`);
  return push.at;
}

/** Resolves right after the order's next poll reached the simulator: the one after is ≥ 5 s away. */
async function justAfterAPoll(sandbox: OzzobitSandbox, orderId: string): Promise<number> {
  const before = sandbox.requests(orderId).length;
  await eventually(`a poll of ${orderId}`, () => sandbox.requests(orderId).length > before, QUICK);
  return sandbox.requests(orderId).length;
}

interface Finished {
  orderId: string;
  result: TrackOrderResult;
  progress: Progress;
  requests: RequestLogEntry[];
  recordOutcomes: number;
  runs: number;
}

async function finish(orderTracker: OrderTracker, sandbox: OzzobitSandbox, orderId: string): Promise<Finished> {
  const result = await orderTracker.result('ozzobit', orderId);
  return {
    orderId,
    result,
    progress: await orderTracker.progress('ozzobit', orderId),
    requests: sandbox.requests(orderId),
    recordOutcomes: activityCount(await handleOf(orderId).fetchHistory(), 'recordOutcome'),
    runs: await runsOf(orderId),
  };
}

/** The lifecycle where a webhook ends each wait early: PENDING_DELIVERY right after poll 1, COMPLETED 1.5 s later. */
function pushedLifecycle(orderId: string) {
  return {
    id: orderId,
    steps: [
      { status: 'PROCESSING', requests: 1 },
      { status: 'PENDING_DELIVERY', durationMs: 1_500, fields: { transactionHash: '0xdelivered' } },
      { status: 'COMPLETED', fields: { transactionHash: '0xdelivered' } },
    ],
  };
}

/** Tracked by the caller; webhooks wake it: PENDING_DELIVERY right after the first poll, COMPLETED before the second. */
async function playEarlyWebhooks(): Promise<Finished> {
  const orderId = uniqueId('early');
  webhookSandbox.addOrder(pushedLifecycle(orderId));
  await tracker.track('ozzobit', orderId);
  return finish(tracker, webhookSandbox, orderId);
}

/** Never tracked by anyone: the first webhook starts tracking; every push is delivered twice. */
async function playUntrackedDuplicated(): Promise<Finished> {
  const orderId = uniqueId('duplicated');
  webhookSandbox.setFault({ kind: 'duplicate_push' }, orderId);
  webhookSandbox.addOrder(pushedLifecycle(orderId));
  await eventually('tracking started by the webhook', () => isTracked(orderId), QUICK);
  return finish(tracker, webhookSandbox, orderId);
}

/** Each status change is followed by the previous status again; then a late push for the final order. */
async function playStaleThenLate() {
  const orderId = uniqueId('stale');
  webhookSandbox.setFault({ kind: 'stale_push' }, orderId);
  webhookSandbox.addOrder(pushedLifecycle(orderId));
  await eventually('tracking started by the webhook', () => isTracked(orderId), QUICK);
  const finished = await finish(tracker, webhookSandbox, orderId);
  // Every webhook the simulator sent has been answered before the late one goes out.
  await eventually('all webhooks answered', () => webhookSandbox.webhooks(orderId).length === 5, QUICK);
  const late = await postWebhook(eventBody(orderId, 'PROCESSING'));
  // Visibility may take a moment: a run started by the late push would show within it.
  await sleep(1_000);
  return { ...finished, late, runsAfterLate: await runsOf(orderId), rowAfterLate: await ledger.find('ozzobit', orderId) };
}

/**
 * The race OZZOBiT's own timing creates (it answers a poll, then pushes the next status): a push
 * arrives while a poll is in flight, and the poll's older answer comes back after it. Made certain
 * here: the poll is held 3 s by a `slow` fault, and the push is sent in the middle of it.
 */
async function playPollOvertakenByPush() {
  const orderId = uniqueId('overtaken');
  webhookSandbox.addOrder({ id: orderId, steps: [{ status: 'PROCESSING' }] });
  await tracker.track('ozzobit', orderId);
  await eventually('the first poll', async () => (await tracker.progress('ozzobit', orderId)).polls === 1, QUICK);
  const nextPollAt = Date.parse(String((await tracker.progress('ozzobit', orderId)).nextPollAt));
  webhookSandbox.setFault({ kind: 'slow', delayMs: 3_000, count: 1 }, orderId);
  await sleep(Math.max(0, nextPollAt + 800 - Date.now())); // the second poll is now held by the simulator
  const pushed = await postWebhook(eventBody(orderId, 'PENDING_DELIVERY'));
  const duringPoll = await tracker.progress('ozzobit', orderId);
  // The held poll answers PROCESSING; from then on the simulator agrees with the push.
  await eventually('the held poll answered', () => webhookSandbox.requests(orderId).length === 2, QUICK);
  webhookSandbox.addOrder({ id: orderId, steps: [{ status: 'PENDING_DELIVERY', durationMs: 1_000 }, { status: 'COMPLETED' }] });
  const finished = await finish(tracker, webhookSandbox, orderId);
  return { ...finished, pushed, duringPoll, patches: patchMarkers(await handleOf(orderId).fetchHistory()).map((marker) => marker.id) };
}

/** A running order gets a forged and a tampered COMPLETED: nothing may change. */
async function playRefusedForTrackedOrder() {
  const orderId = uniqueId('refused-tracked');
  webhookSandbox.addOrder({ id: orderId, steps: [{ status: 'PROCESSING' }] });
  await tracker.track('ozzobit', orderId);
  await eventually('the first poll and the first webhook', async () => {
    const progress = await tracker.progress('ozzobit', orderId);
    return progress.polls >= 1 && progress.pushes >= 1;
  }, QUICK);
  const before = await tracker.progress('ozzobit', orderId);
  const genuine = eventBody(orderId, 'PROCESSING');
  const completed = eventBody(orderId, 'COMPLETED');
  const answers = [
    await postWebhook(completed, sign(completed, 'someone-else')), // forged: another secret
    await postWebhook(completed, sign(genuine)), // tampered: a genuine signature over other bytes
    await postWebhook(completed, null), // unsigned
  ];
  await sleep(1_500);
  const after = await tracker.progress('ozzobit', orderId);
  await tracker.cancel('ozzobit', orderId, 'test over');
  return { orderId, before, after, answers };
}

/**
 * The socket.io bridge (two replicas) for an order tracked on the socket simulator: each status
 * change is scripted right after a poll, so only a push can show it within the next 5 s.
 */
async function playSocketOrder() {
  const orderId = uniqueId('socket');
  socketSandbox.addOrder({ id: orderId, steps: [{ status: 'PROCESSING' }] });
  await socketTracker.track('ozzobit', orderId);
  await eventually('both bridges subscribed', () => bridges.every((bridge) => bridge.state().acknowledged.includes(orderId)), QUICK);

  await justAfterAPoll(socketSandbox, orderId);
  socketSandbox.addOrder({ id: orderId, steps: [{ status: 'PENDING_DELIVERY' }] });
  await eventually('PENDING_DELIVERY shown', async () => (await socketTracker.progress('ozzobit', orderId)).status === 'PENDING_DELIVERY', QUICK);
  const pending = await socketTracker.progress('ozzobit', orderId);
  const pendingPushedAt = pushedAt(socketSandbox, orderId, 'PENDING_DELIVERY');

  // The next status change finds the sockets cut instead of an update; both replicas reconnect.
  const connectionsBefore = bridges.map((bridge) => bridge.state().connections);
  socketSandbox.setFault({ kind: 'drop_socket', count: 1 }, orderId);
  await justAfterAPoll(socketSandbox, orderId);
  socketSandbox.addOrder({ id: orderId, steps: [{ status: 'PENDING_DELIVERY', fields: { transactionHash: '0xsent' } }] });
  await eventually(
    'both bridges reconnected and resubscribed',
    () => bridges.every((bridge, index) => bridge.state().connections > (connectionsBefore[index] ?? 0) && bridge.state().acknowledged.includes(orderId)),
    QUICK,
  );

  await justAfterAPoll(socketSandbox, orderId);
  socketSandbox.addOrder({ id: orderId, steps: [{ status: 'COMPLETED', fields: { transactionHash: '0xsent' } }] });
  const finished = await finish(socketTracker, socketSandbox, orderId);
  return { ...finished, pending, pendingPushedAt, completedPushedAt: pushedAt(socketSandbox, orderId, 'COMPLETED') };
}

/** What each bridge replica handed to the tracker. */
const bridgePushes: { replica: number; orderId: string; status: string }[] = [];
function recordingTracker(replica: number): Pick<OrderTracker, 'push'> {
  return {
    push: (provider: string, orderId: string, observation: Observation) => {
      bridgePushes.push({ replica, orderId, status: observation.status });
      return socketTracker.push(provider, orderId, observation);
    },
  };
}

const scenarios: {
  early?: Promise<Settled<Finished>>;
  duplicated?: Promise<Settled<Finished>>;
  stale?: Promise<Settled<Awaited<ReturnType<typeof playStaleThenLate>>>>;
  refused?: Promise<Settled<Awaited<ReturnType<typeof playRefusedForTrackedOrder>>>>;
  overtaken?: Promise<Settled<Awaited<ReturnType<typeof playPollOvertakenByPush>>>>;
  socket?: Promise<Settled<Awaited<ReturnType<typeof playSocketOrder>>>>;
} = {};

beforeAll(async () => {
  environment = await createDevEnvironment();
  ledger = (await temporaryLedger()).ledger;
  tracker = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE, ledger });
  socketTracker = new OrderTracker({ client: environment.client, taskQueue: SOCKET_TASK_QUEUE, ledger });
  const route = ozzobitWebhookRoute(createOzzobitSignatureVerifier(WEBHOOK_SECRET));
  ingress = buildIngress({ tracker, webhooks: [webhookRoute({ provider: 'ozzobit', route, tracker, logger: quiet })] });
  webhookUrl = `${await ingress.listen({ port: 0, host: '127.0.0.1' })}${webhookPath('ozzobit')}`;
  [webhookSandbox, socketSandbox] = await Promise.all([
    startOzzobitSandbox({ secretKey: SECRET_KEY, apiKey: API_KEY, webhook: { url: webhookUrl, secret: WEBHOOK_SECRET } }),
    startOzzobitSandbox({ secretKey: SECRET_KEY, apiKey: API_KEY }),
  ]);
  const adapter = (sandbox: OzzobitSandbox) => createOzzobitAdapter({ url: sandbox.url, secretKey: SECRET_KEY, requestTimeoutMs: 5_000 });
  const connection = environment.nativeConnection;
  workers = await Promise.all([
    startWorkers({ connection, taskQueue: TASK_QUEUE, providers: { ozzobit: adapter(webhookSandbox) }, ledger, hooks }),
    startWorkers({ connection, taskQueue: SOCKET_TASK_QUEUE, providers: { ozzobit: adapter(socketSandbox) }, ledger, hooks }),
  ]);
  for (const replica of [0, 1]) {
    const bridge = createOzzobitBridge({
      wsUrl: socketSandbox.wsUrl,
      apiKey: API_KEY,
      tracker: recordingTracker(replica),
      trackedOrders: runningOrders(environment.client, 'ozzobit'),
      refreshMs: 250,
      logger: quiet,
      reconnectDelayMs: 100,
      reconnectDelayMaxMs: 500,
    });
    bridges.push(bridge);
    bridgeRuns.push(bridge.run());
  }
  // Scripts run on the wall clock from addOrder: start them once the workers poll, not while they bundle.
  scenarios.early = settle(playEarlyWebhooks());
  scenarios.duplicated = settle(playUntrackedDuplicated());
  scenarios.stale = settle(playStaleThenLate());
  scenarios.refused = settle(playRefusedForTrackedOrder());
  scenarios.overtaken = settle(playPollOvertakenByPush());
  scenarios.socket = settle(playSocketOrder());
}, 120_000);

afterAll(async () => {
  await Promise.all(Object.values(scenarios));
  await Promise.allSettled(bridges.map((bridge) => bridge.stop()));
  await Promise.allSettled(bridgeRuns);
  await ingress?.close();
  await Promise.all(workers.map((running) => running.stop()));
  await Promise.all([webhookSandbox?.close(), socketSandbox?.close()]);
  await ledger?.close();
  await environment?.teardown();
}, 60_000);

test(
  'a webhook makes the order act before its timer would have; a pushed COMPLETED is confirmed by one poll and fulfilled once',
  async () => {
    const { orderId, result, progress, requests, recordOutcomes, runs } = await outcomeOf(scenarios.early);
    expect(result).toMatchObject({ outcome: 'succeeded', status: 'COMPLETED', polls: 2 });
    expect(result.pushes).toBeGreaterThanOrEqual(3);
    expect(result.details).toMatchObject({ transactionHash: '0xdelivered' });
    expect(progress.transitions.map(({ status }) => status)).toEqual(LIFECYCLE);
    expect(transition(progress, 'PENDING_DELIVERY').source).toBe('push');
    expect(transition(progress, 'COMPLETED').source).toBe('push');

    // PENDING_DELIVERY was pushed right after poll 1 and shown at once, while poll 2 was ≥ 5 s away.
    const [firstPoll, secondPoll] = requests.map((request) => request.at) as [number, number];
    expect(requests).toHaveLength(2);
    expect(secondPoll - firstPoll).toBeGreaterThanOrEqual(FLOOR_MS);
    const shownAt = Date.parse(transition(progress, 'PENDING_DELIVERY').at);
    expect(shownAt - pushedAt(webhookSandbox, orderId, 'PENDING_DELIVERY')).toBeLessThan(PUSH_LAG_LIMIT_MS);
    expect(shownAt).toBeLessThan(secondPoll - 2_000);
    // COMPLETED came by webhook; the only poll after it is the confirming one, and then fulfilment, once.
    const completedAt = pushedAt(webhookSandbox, orderId, 'COMPLETED');
    expect(Date.parse(transition(progress, 'COMPLETED').at)).toBeLessThan(secondPoll);
    expect(secondPoll).toBeGreaterThanOrEqual(completedAt);
    expect(recordOutcomes).toBe(1);
    expect(runs).toBe(1);
    expect(hookRuns.filter((id) => id === orderId)).toHaveLength(1);
    expect(await ledger.find('ozzobit', orderId)).toMatchObject({ outcome: 'succeeded', final: true, status: 'COMPLETED' });
    expect(webhookSandbox.webhooks(orderId).every((entry) => entry.httpStatus === 200)).toBe(true);
  },
  TEST_TIMEOUT_MS,
);

test(
  'a webhook for an order nobody tracks starts tracking it; duplicated deliveries change nothing',
  async () => {
    const { orderId, result, progress, recordOutcomes, runs } = await outcomeOf(scenarios.duplicated);
    expect(result).toMatchObject({ outcome: 'succeeded', status: 'COMPLETED' });
    expectOnlyForward(progress.transitions);
    expect(progress.transitions.map(({ status }) => status)).toEqual(LIFECYCLE);
    expect(progress.transitions[0]?.source).toBe('push'); // the first thing the order ever saw was the webhook
    const webhooks = webhookSandbox.webhooks(orderId);
    expect(webhooks.filter((entry) => entry.replay === 'duplicate')).toHaveLength(3);
    expect(webhooks.every((entry) => entry.httpStatus === 200)).toBe(true);
    expect(result.pushes).toBeGreaterThanOrEqual(6);
    expect(recordOutcomes).toBe(1);
    expect(runs).toBe(1);
    expect(hookRuns.filter((id) => id === orderId)).toHaveLength(1);
    expect(await ledger.find('ozzobit', orderId)).toMatchObject({ outcome: 'succeeded', final: true });
  },
  TEST_TIMEOUT_MS,
);

test(
  'stale webhooks never move an order backwards; a late one for a final order starts nothing',
  async () => {
    const { orderId, result, progress, recordOutcomes, late, runsAfterLate, rowAfterLate } = await outcomeOf(scenarios.stale);
    expect(result).toMatchObject({ outcome: 'succeeded', status: 'COMPLETED' });
    expectOnlyForward(progress.transitions);
    expect(progress.transitions.map(({ status }) => status)).toEqual(LIFECYCLE);
    // The simulator re-sent PROCESSING after PENDING_DELIVERY, and PENDING_DELIVERY after COMPLETED.
    const stale = webhookSandbox.webhooks(orderId).filter((entry) => entry.replay === 'stale');
    expect(stale.map((entry) => [entry.status, entry.httpStatus])).toEqual([
      ['PROCESSING', 200],
      ['PENDING_DELIVERY', 200],
    ]);
    expect(recordOutcomes).toBe(1);
    expect(hookRuns.filter((id) => id === orderId)).toHaveLength(1);

    expect(late).toEqual({ status: 200, json: expect.objectContaining({ received: true, result: 'ignored' }) });
    expect(runsAfterLate).toBe(1);
    expect(rowAfterLate).toMatchObject({ outcome: 'succeeded', final: true, status: 'COMPLETED' });
  },
  TEST_TIMEOUT_MS,
);

test(
  'a poll that was in flight when a newer push arrived does not step the order back when it answers',
  async () => {
    const { result, progress, requests, duringPoll, pushed, patches, recordOutcomes } = await outcomeOf(scenarios.overtaken);
    expect(pushed).toMatchObject({ status: 200, json: { result: 'signalled' } });
    // The push was shown while the poll was still held (a request is counted once answered), and the
    // poll's PROCESSING did not undo it: the wait was already asking, so the push let it run, and an
    // answer ranked below the pushed status is no change to it.
    expect(duringPoll).toMatchObject({ status: 'PENDING_DELIVERY', polls: 1 });
    expect(requests[1]?.fault).toBe('slow');
    expectOnlyForward(progress.transitions);
    expect(progress.transitions.map(({ status, source }) => `${status}:${source}`)).toEqual([
      expect.stringMatching(/^PROCESSING:(push|poll)$/),
      'PENDING_DELIVERY:push',
      'COMPLETED:push',
    ]);
    expect(patches).toContain(RETRY_DRIVEN_POLLING_PATCH); // retry-driven polling
    expect(result).toMatchObject({ outcome: 'succeeded', status: 'COMPLETED' });
    expect(recordOutcomes).toBe(1);
  },
  TEST_TIMEOUT_MS,
);

test(
  'a forged, a tampered and an unsigned webhook for a running order → 401, and the order sees nothing',
  async () => {
    const { before, after, answers } = await outcomeOf(scenarios.refused);
    expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401]);
    expect(answers.map((answer) => String(answer.json.error))).toEqual([
      expect.stringMatching(/does not match the body/),
      expect.stringMatching(/does not match the body/),
      expect.stringMatching(/missing x-OZZOBiT-signature/),
    ]);
    expect(after).toMatchObject({ status: 'PROCESSING', pushes: before.pushes, outcome: null });
    expect(after.transitions).toEqual(before.transitions);
  },
  TEST_TIMEOUT_MS,
);

test('refused, malformed and non-order webhooks for an untracked order start nothing: 401 / 400 / 200', async () => {
  const orderId = uniqueId('never-started');
  const body = eventBody(orderId, 'COMPLETED');
  const cases: [string, string | null, number, RegExp][] = [
    [body, sign(body, 'attacker'), 401, /does not match/],
    [eventBody(orderId, 'FAILED'), sign(body), 401, /does not match/],
    [body, null, 401, /missing/],
    [body, sign(body).slice(0, 40), 401, /not an HMAC-SHA256/],
    ['{"eventName":"ORDER_COMPLETED",', null, 401, /missing/],
    ['{"eventName":"ORDER_COMPLETED",', 'sign', 400, /not JSON/],
    [JSON.stringify({ eventName: 'ORDER_COMPLETED', data: { id: orderId } }), 'sign', 400, /data.status/],
  ];
  for (const [payload, signature, status, message] of cases) {
    const answer = await postWebhook(payload, signature === 'sign' ? sign(payload) : signature);
    expect({ payload, status: answer.status }).toEqual({ payload, status });
    expect(String(answer.json.error)).toMatch(message);
  }
  // A signed event that is not an order event is acknowledged (the seed's switch) and starts nothing.
  const other = JSON.stringify({ eventName: 'KYC_APPROVED', data: { id: orderId, status: 'APPROVED' } });
  const acknowledged = await postWebhook(other, sign(other));
  expect({ status: acknowledged.status, json: acknowledged.json }).toEqual({ status: 200, json: { received: true, ignored: 'not an order event: KYC_APPROVED' } });
  expect(await isTracked(orderId)).toBe(false);
  expect(await ledger.find('ozzobit', orderId)).toBeUndefined();
});

test(
  'the socket.io bridge (two replicas) delivers a tracked order’s updates, also after its socket was dropped',
  async () => {
    const { orderId, result, progress, pending, pendingPushedAt, completedPushedAt, requests, recordOutcomes, runs } = await outcomeOf(scenarios.socket);
    // PENDING_DELIVERY arrived over the socket, well inside the 5 s before the next poll.
    expect(transition(pending, 'PENDING_DELIVERY').source).toBe('push');
    expect(Date.parse(transition(pending, 'PENDING_DELIVERY').at) - pendingPushedAt).toBeLessThan(PUSH_LAG_LIMIT_MS);
    // The update due while the sockets were cut never came; the one after the reconnect did.
    const socketLog = socketSandbox.pushes(orderId);
    expect(socketLog.filter((entry) => entry.fault === 'drop_socket').map((entry) => entry.recipients)).toEqual([2]);
    const after = socketLog.filter((entry) => entry.status === 'COMPLETED');
    expect(after.map((entry) => entry.recipients)).toEqual([2]);
    const fromBridges = bridgePushes.filter((push) => push.orderId === orderId);
    for (const replica of [0, 1]) {
      expect(fromBridges.filter((push) => push.replica === replica).map((push) => push.status)).toEqual(['PENDING_DELIVERY', 'COMPLETED']);
    }
    // Two replicas: every update signalled twice, fulfilled once.
    expect(result).toMatchObject({ outcome: 'succeeded', status: 'COMPLETED' });
    expect(transition(progress, 'COMPLETED').source).toBe('push');
    expect(Date.parse(transition(progress, 'COMPLETED').at) - completedPushedAt).toBeLessThan(PUSH_LAG_LIMIT_MS);
    const confirming = requests.find((request) => request.at >= completedPushedAt);
    expect(confirming).toBeDefined();
    expect(requests.filter((request) => request.at >= completedPushedAt)).toHaveLength(1);
    expect(recordOutcomes).toBe(1);
    expect(runs).toBe(1);
    expect(hookRuns.filter((id) => id === orderId)).toHaveLength(1);
  },
  TEST_TIMEOUT_MS,
);

test('a wrong apiKey: the bridge’s run() rejects with an error naming OZZOBIT_API_KEY', async () => {
  const bridge = createOzzobitBridge({ wsUrl: socketSandbox.wsUrl, apiKey: 'wrong-key', tracker: socketTracker, trackedOrders: runningOrders(environment.client, 'ozzobit'), logger: quiet });
  const startedAt = Date.now();
  const error = await bridge.run().then(() => undefined, (reason: unknown) => reason);
  expect(error).toBeInstanceOf(OzzobitSocketRefusedError);
  expect((error as Error).message).toMatch(/refused the socket\.io connection.*check OZZOBIT_API_KEY/);
  expect(Date.now() - startedAt).toBeLessThan(5_000);
  await sleep(500);
  expect(bridge.state()).toMatchObject({ connected: false, connections: 0 });
  await bridge.stop();
});
