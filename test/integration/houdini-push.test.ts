/**
 * The Houdini push bridge end to end, in real time: the Houdini simulator (REST + WebSocket with
 * push faults), the real worker stack on the dev server, and the bridge pushing through
 * `OrderTracker.push`. Orders keep the 30-minute deposit window, so between pushes the next poll is
 * 20-30 s away: anything that happens within seconds happened because of a push.
 *
 * The tests run one after another: they share one bridge and its socket, and one of them drops it.
 * The simulator's logs (requests, handshakes, pushes per connection) are the evidence, not the
 * tracker's own account.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createHoudiniAdapter } from '../../providers/houdini/houdini-client';
import { normalizeHoudiniOrder } from '../../providers/houdini/houdini-observation';
import type { Ledger } from '../../storage/ledger/ledger';
import { OrderTracker } from '../../client/order-tracker';
import { startHoudiniSandbox } from '../../sandbox/houdini';
import type { HoudiniSandbox } from '../../sandbox/houdini';
import type { RequestLogEntry } from '../../sandbox/request-log';
import type { PushBridge } from '../../providers/push/push-channel';
import { HoudiniAuthenticationError, createHoudiniBridge } from '../../providers/houdini/houdini-bridge';
import type { PushLogger } from '../../providers/push/push-logger';
import { runningOrders } from '../../workers/push/tracked-orders';
import { orderWorkflowId } from '../../domain/ids';
import type { Progress, Transition } from '../../domain/types';
import { createDevEnvironment } from '../helpers/environments';
import { eventually } from '../helpers/eventually';
import { activityCount } from '../helpers/history';
import { type RunningWorkers, startWorkers } from '../helpers/running-workers';
import { temporaryLedger, uniqueId } from '../helpers/worker-stack';

const PARTNER_ID = 'push-partner';
const SECRET = 'push-secret';
const TASK_QUEUE = 'houdini-push-integration';
const FLOOR_MS = 5_000;
/** How soon after Houdini sent an update the order shows it. Typically ~100 ms; room for a busy machine. */
const PUSH_LAG_LIMIT_MS = 1_500;
/** Houdini statuses in lifecycle order: a transition list must only ever climb this. */
const LIFECYCLE = ['INITIALIZING', 'NEW', 'WAITING', 'CONFIRMING', 'EXCHANGING', 'ANONYMIZING', 'FINISHED'];
const TEST_TIMEOUT_MS = 45_000;

let environment: TestWorkflowEnvironment;
let sandbox: HoudiniSandbox;
let ledger: Ledger;
let tracker: OrderTracker;
let workers: RunningWorkers | undefined;
let bridge: PushBridge | undefined;
let bridgeRun: Promise<void> | undefined;
const bridgeLog: { level: string; message: string; meta?: Record<string, unknown> }[] = [];

function recordingLogger(into: typeof bridgeLog): PushLogger {
  const at = (level: string) => (message: string, meta?: Record<string, unknown>) => void into.push({ level, message, meta });
  return { info: at('info'), warn: at('warn'), error: at('error') };
}

function houdiniAdapter(secret = SECRET) {
  return createHoudiniAdapter({ url: sandbox.url, partnerId: PARTNER_ID, secret, pushes: true, requestTimeoutMs: 5_000 });
}

beforeAll(async () => {
  environment = await createDevEnvironment();
  sandbox = await startHoudiniSandbox({ partnerId: PARTNER_ID, secret: SECRET });
  ledger = (await temporaryLedger()).ledger;
  tracker = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE, ledger });
  workers = await startWorkers({ connection: environment.nativeConnection, taskQueue: TASK_QUEUE, providers: { houdini: houdiniAdapter() }, ledger });
  bridge = createHoudiniBridge({
    wsUrl: sandbox.wsUrl,
    partnerId: PARTNER_ID,
    secret: SECRET,
    tracker,
    adapter: houdiniAdapter(),
    trackedOrders: runningOrders(environment.client, 'houdini'),
    logger: recordingLogger(bridgeLog),
    backoff: { initialMs: 200, maxMs: 2_000 },
  });
  bridgeRun = bridge.run();
  await eventually('the bridge subscribed', () => bridgeLog.some((line) => line.message.startsWith('subscribed')));
}, 120_000);

afterAll(async () => {
  await bridge?.stop();
  await bridgeRun;
  await workers?.stop();
  await sandbox?.close();
  await ledger?.close();
  await environment?.teardown();
});

function handleOf(orderId: string) {
  return environment.client.workflow.getHandle(orderWorkflowId('houdini', orderId));
}

function progressOf(orderId: string): Promise<Progress> {
  return tracker.progress('houdini', orderId);
}

function requestsOf(operation = 'websocket'): RequestLogEntry[] {
  return sandbox.requests().filter((request) => request.operation === operation);
}

/** When the simulator sent (or dropped) the order's update to this status code. */
function pushedAt(orderId: string, code: number): number {
  const push = sandbox.pushes(orderId).find((entry) => entry.status === code);
  if (push === undefined) throw new Error(`no push of status ${code} for ${orderId}`);
  return push.at;
}

function transitionAt(progress: Progress, status: string): Transition {
  const transition = progress.transitions.find((entry) => entry.status === status);
  if (transition === undefined) throw new Error(`no transition to ${status}: ${JSON.stringify(progress.transitions)}`);
  return transition;
}

function expectOnlyForward(transitions: Transition[]): void {
  const positions = transitions.map((transition) => LIFECYCLE.indexOf(transition.status));
  expect(positions.every((position) => position >= 0)).toBe(true);
  expect([...positions].sort((first, second) => first - second)).toEqual(positions);
  expect(new Set(positions).size).toBe(positions.length);
}

test(
  'a pushed status change shows within a second while the next poll is 30 s away; a pushed FINISHED is confirmed by one poll, then fulfilled',
  async () => {
    const orderId = uniqueId('push-fast');
    sandbox.addOrder({
      id: orderId,
      steps: [
        { status: 'WAITING', durationMs: 2_500 },
        { status: 'CONFIRMING', durationMs: 2_000, fields: { inTxHash: 'in-tx' } },
        { status: 'EXCHANGING', durationMs: 1_500 },
        { status: 'FINISHED', fields: { outTxHash: 'out-tx' } },
      ],
    });

    const started = await tracker.track('houdini', orderId);
    await eventually('the first poll', async () => (await progressOf(orderId)).polls === 1);
    const waiting = await progressOf(orderId);
    expect(waiting.status).toBe('WAITING');
    // The deposit cadence: without a push, nothing would happen for 30 s (the wait's next attempt, as
    // the server scheduled it after its first attempt's dispatch).
    const quietMs = Date.parse(String(waiting.nextPollAt)) - Date.parse(String(waiting.lastPolledAt));
    expect(quietMs).toBeGreaterThanOrEqual(30_000);
    expect(quietMs).toBeLessThan(32_000);

    await eventually('CONFIRMING pushed', async () => (await progressOf(orderId)).status === 'CONFIRMING', { timeoutMs: 10_000, intervalMs: 50 });
    const confirming = await progressOf(orderId);
    const lagMs = Date.parse(transitionAt(confirming, 'CONFIRMING').at) - pushedAt(orderId, 1);
    expect(lagMs).toBeLessThan(PUSH_LAG_LIMIT_MS);
    expect(confirming).toMatchObject({ polls: 1, details: { statusCode: 1 } });

    const result = await tracker.result('houdini', orderId);
    expect(result).toMatchObject({ outcome: 'succeeded', status: 'FINISHED', polls: 2, pushes: 3 });
    expect(result.details).toMatchObject({ outTxHash: 'out-tx' });

    const progress = await progressOf(orderId);
    expect(progress.transitions.map(({ status, source }) => `${status}:${source}`)).toEqual([
      'WAITING:poll',
      'CONFIRMING:push',
      'EXCHANGING:push',
      'FINISHED:push',
    ]);
    // The second request is the confirming poll: after the pushed FINISHED, long before the 30 s timer.
    const requests = sandbox.requests(orderId);
    expect(requests.map((request) => request.operation)).toEqual(['get_order', 'get_order']);
    const confirmation = requests[1] as RequestLogEntry;
    expect(confirmation.at).toBeGreaterThanOrEqual(pushedAt(orderId, 4));
    expect(confirmation.at - (requests[0] as RequestLogEntry).at).toBeGreaterThanOrEqual(FLOOR_MS);
    expect(confirmation.at - (requests[0] as RequestLogEntry).at).toBeLessThan(20_000);
    expect(activityCount(await handleOf(orderId).fetchHistory(), 'recordOutcome')).toBe(1);
    expect(await ledger.find('houdini', orderId)).toMatchObject({ outcome: 'succeeded', final: true, status: 'FINISHED' });
    expect(started).toMatchObject({ kind: 'tracking' });
  },
  TEST_TIMEOUT_MS,
);

test(
  'the socket dropped just as an update was due: the bridge reconnects, re-subscribes, catches the missed update up through GET /v2/orders, and the order finishes',
  async () => {
    const orderId = uniqueId('push-drop');
    sandbox.addOrder({
      id: orderId,
      steps: [
        { status: 'WAITING', durationMs: 2_500 },
        { status: 'CONFIRMING', durationMs: 2_500 },
        { status: 'EXCHANGING', durationMs: 2_000 },
        { status: 'FINISHED' },
      ],
    });
    // The CONFIRMING update is never sent: the connection is cut instead.
    sandbox.setFault({ kind: 'drop_socket', count: 1 }, orderId);
    const handshakesBefore = requestsOf().length;
    const listsBefore = requestsOf('list_orders').length;

    await tracker.track('houdini', orderId);
    const result = await tracker.result('houdini', orderId);
    expect(result).toMatchObject({ outcome: 'succeeded', status: 'FINISHED' });

    const pushes = sandbox.pushes(orderId);
    const dropped = pushes.find((push) => push.kind === 'dropped');
    expect(dropped).toMatchObject({ status: 1 });
    // Later updates reached a new connection: the bridge subscribed again (the simulator forgets subscriptions).
    const later = pushes.filter((push) => push.at > (dropped?.at ?? 0));
    expect(later.map((push) => [push.status, push.kind])).toEqual([
      [2, 'update'],
      [4, 'update'],
    ]);
    expect(later.every((push) => push.connection > (dropped?.connection ?? Number.POSITIVE_INFINITY))).toBe(true);
    // One reconnect, not a storm; and one catch-up list read after it.
    expect(requestsOf().length - handshakesBefore).toBe(1);
    const lists = requestsOf('list_orders').slice(listsBefore);
    expect(lists).toHaveLength(1);
    expect((lists[0] as RequestLogEntry).at).toBeGreaterThan(dropped?.at ?? 0);

    const progress = await progressOf(orderId);
    expect(progress.transitions.map(({ status, source }) => `${status}:${source}`)).toEqual([
      'WAITING:poll',
      'CONFIRMING:push', // from the catch-up: the update itself was lost with the socket
      'EXCHANGING:push',
      'FINISHED:push',
    ]);
    // Caught up within a moment of the drop, not at the next poll 20-30 s later.
    expect(Date.parse(transitionAt(progress, 'CONFIRMING').at) - (dropped?.at ?? 0)).toBeLessThan(2_000 + PUSH_LAG_LIMIT_MS);
    expect(bridgeLog.some((line) => line.message.includes('reconnecting'))).toBe(true);
  },
  TEST_TIMEOUT_MS,
);

test(
  'a wrong secret: Houdini answers AUTH_FAILED and closes 4401; run() rejects naming the variables, with one handshake and no retries',
  async () => {
    const log: typeof bridgeLog = [];
    const refused = createHoudiniBridge({
      wsUrl: sandbox.wsUrl,
      partnerId: PARTNER_ID,
      secret: 'not-the-secret',
      tracker,
      logger: recordingLogger(log),
      backoff: { initialMs: 50, maxMs: 100 },
    });
    const refusedBefore = requestsOf('websocket AUTH_FAILED').length;
    try {
      await expect(refused.run()).rejects.toThrow(HoudiniAuthenticationError);
      await expect(refused.run()).rejects.toThrow(/AUTH_FAILED.*check HOUDINI_PARTNER_ID and HOUDINI_SECRET/);
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // many backoff steps of 50-100 ms
      expect(requestsOf('websocket AUTH_FAILED').length - refusedBefore).toBe(1);
      expect(log.filter((line) => line.level === 'error')).toHaveLength(1);
    } finally {
      await refused.stop();
    }
  },
  TEST_TIMEOUT_MS,
);

test(
  'a malformed Authorization header: the handshake is answered HTTP 400 and run() rejects without retrying',
  async () => {
    const refused = createHoudiniBridge({
      wsUrl: sandbox.wsUrl,
      partnerId: PARTNER_ID,
      secret: 'a secret with spaces',
      tracker,
      logger: recordingLogger([]),
      backoff: { initialMs: 50, maxMs: 100 },
    });
    const before = requestsOf().filter((request) => request.httpStatus === 400).length;
    try {
      await expect(refused.run()).rejects.toThrow(/HTTP 400.*HOUDINI_PARTNER_ID and HOUDINI_SECRET/);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(requestsOf().filter((request) => request.httpStatus === 400).length - before).toBe(1);
    } finally {
      await refused.stop();
    }
  },
  TEST_TIMEOUT_MS,
);

test(
  'duplicate and out-of-order pushes: one run, one recordOutcome, one final ledger row, transitions only forward',
  async () => {
    const orderId = uniqueId('push-faults');
    sandbox.addOrder({
      id: orderId,
      steps: [
        { status: 'WAITING', durationMs: 2_500 },
        { status: 'CONFIRMING', durationMs: 1_500 },
        { status: 'EXCHANGING', durationMs: 1_500 },
        { status: 'FINISHED' },
      ],
    });
    // CONFIRMING then a stale WAITING; EXCHANGING then a stale CONFIRMING; FINISHED twice.
    sandbox.setFault({ kind: 'out_of_order_push', count: 2 }, orderId);
    sandbox.setFault({ kind: 'duplicate_push', count: 1 }, orderId);

    const started = await tracker.track('houdini', orderId);
    if (started.kind !== 'tracking') throw new Error('expected tracking to start');
    const result = await tracker.result('houdini', orderId);
    expect(result).toMatchObject({ outcome: 'succeeded', status: 'FINISHED', polls: 2 });
    // Stale and duplicate pushes are counted while the order runs, never applied.
    expect(result.pushes).toBeGreaterThanOrEqual(5);
    expect(result.pushes).toBeLessThanOrEqual(6);
    expect(sandbox.pushes(orderId).map((push) => `${push.status}:${push.kind}`)).toEqual([
      '1:update',
      '0:stale',
      '2:update',
      '1:stale',
      '4:update',
      '4:duplicate',
    ]);

    // Late copies after the end: the ledger holds the final outcome, so they start nothing.
    const finished = normalizeHoudiniOrder({ houdiniId: orderId, status: 4 }, Date.now(), true);
    const stale = normalizeHoudiniOrder({ houdiniId: orderId, status: 2 }, Date.now(), true);
    expect(await tracker.push('houdini', orderId, finished)).toMatchObject({ kind: 'ignored' });
    expect(await tracker.push('houdini', orderId, stale)).toMatchObject({ kind: 'ignored' });

    const progress = await progressOf(orderId);
    expectOnlyForward(progress.transitions);
    expect(progress.transitions.map((transition) => transition.status)).toEqual(['WAITING', 'CONFIRMING', 'EXCHANGING', 'FINISHED']);
    const description = await handleOf(orderId).describe();
    expect(description).toMatchObject({ runId: started.runId, status: { name: 'COMPLETED' } });
    expect(activityCount(await handleOf(orderId).fetchHistory(), 'recordOutcome')).toBe(1);
    const row = await ledger.find('houdini', orderId);
    expect(row).toMatchObject({ outcome: 'succeeded', final: true, status: 'FINISHED' });
    expect(row?.transitions.map((transition) => transition.status)).toEqual(['WAITING', 'CONFIRMING', 'EXCHANGING', 'FINISHED']);
  },
  TEST_TIMEOUT_MS,
);

test(
  'a push for an order nobody tracks yet starts tracking it (signal-with-start), and the order is followed to the end',
  async () => {
    const orderId = uniqueId('push-untracked');
    sandbox.addOrder({
      id: orderId,
      steps: [
        { status: 'WAITING', durationMs: 1_500 },
        { status: 'CONFIRMING', durationMs: 2_000 },
        { status: 'FINISHED' },
      ],
    });

    await eventually('tracking started by the push', async () => (await handleOf(orderId).describe()).status.name === 'RUNNING', {
      timeoutMs: 10_000,
    });
    const result = await tracker.result('houdini', orderId);
    expect(result).toMatchObject({ outcome: 'succeeded', status: 'FINISHED', polls: 2, pushes: 2 });

    const history = await handleOf(orderId).fetchHistory();
    const [first, second] = history.events ?? [];
    expect(first?.workflowExecutionStartedEventAttributes).toBeTruthy();
    expect(second?.workflowExecutionSignaledEventAttributes?.signalName).toBe('statusPushed');
    const progress = await progressOf(orderId);
    expect(progress.transitions.map(({ status, source }) => `${status}:${source}`)).toEqual(['CONFIRMING:push', 'FINISHED:push']);
    // Its first poll came at once (nothing to wait for); the confirmation kept the 5 s floor.
    const requests = sandbox.requests(orderId);
    expect(requests).toHaveLength(2);
    expect((requests[0] as RequestLogEntry).at - pushedAt(orderId, 1)).toBeLessThan(PUSH_LAG_LIMIT_MS);
    expect((requests[1] as RequestLogEntry).at - (requests[0] as RequestLogEntry).at).toBeGreaterThanOrEqual(FLOOR_MS);
    expect(await ledger.find('houdini', orderId)).toMatchObject({ outcome: 'succeeded', final: true });
  },
  TEST_TIMEOUT_MS,
);
