/**
 * `statusPushed` on the time-skipping server, against the Houdini simulator over HTTP: a push wakes
 * the wait and moves the next poll to max(floor, the push's nextWait); a pushed final status is
 * confirmed by one poll (unless the settings say not to) and fulfilled once; older and late pushes
 * change nothing; and pushes every second never beat the per-order 5 s floor.
 *
 * The simulator's clock does not skip with the server's, so its request log cannot show gaps here:
 * each request is stamped with the server's time (test/helpers/history.ts recordRequestTimes), and
 * signals with their history event's. Orders sit at one status (or advance by request count), and
 * the pushes are what a bridge would send. Between changes an order waits on the retries of one
 * pollUntilChanged activity; a push cancels that wait (ActivityTaskCancelRequested in history).
 */
import { tsToMs } from '@temporalio/common/lib/time';
import type { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FulfilmentHooks } from '../../activities';
import { createCallbackSender } from '../../callbacks/callback-sender';
import type { Ledger } from '../../storage/ledger/ledger';
import { createHoudiniAdapter } from '../../providers/houdini/houdini-client';
import { normalizeHoudiniOrder } from '../../providers/houdini/houdini-observation';
import { OrderTracker } from '../../client/order-tracker';
import { startHoudiniSandbox, type HoudiniSandbox } from '../../sandbox/houdini';
import { orderWorkflowId } from '../../domain/ids';
import { progressQuery, statusPushedSignal } from '../../workflows/messages';
import { CANCEL_HOLDS_PATCH, LATE_NEWS_PATCH } from '../../workflows/track-order';
import type { Observation, Progress } from '../../domain/types';
import { startCallbackReceiver, type CallbackReceiver } from '../../harness/servers/callback-receiver';
import { createTimeSkippingEnvironment } from '../helpers/environments';
import { eventually } from '../helpers/eventually';
import { activityCount, patchMarkers, recordRequestTimes, type RequestClock, saveHistory, timerDurationsMs } from '../helpers/history';
import { temporaryLedger, uniqueId, withWorkers } from '../helpers/worker-stack';

type History = temporal.api.history.v1.IHistory;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const PARTNER_ID = 'push-workflow-partner';
const SECRET = 'push-workflow-secret';
const CALLBACK_SECRET = 'push-workflow-callback-secret';
const TASK_QUEUE = 'push-workflow-test';
const FLOOR_MS = 5_000;
/** Houdini's deposit cadence: the next poll without a push. */
const DEPOSIT_POLL_MS = 30_000;
/**
 * Workflow tasks, the wait's dispatch and a local HTTP poll take real time (a second or two on a busy
 * machine); the server's clock keeps them.
 */
const SLACK_MS = 2_500;

let environment: TestWorkflowEnvironment;
let sandbox: HoudiniSandbox;
let ledger: Ledger;
let tracker: OrderTracker;
let hooks: FulfilmentHooks = {};
let clock: RequestClock;
let receiver: CallbackReceiver;

beforeAll(async () => {
  environment = await createTimeSkippingEnvironment();
  sandbox = await startHoudiniSandbox({ partnerId: PARTNER_ID, secret: SECRET });
  ledger = (await temporaryLedger()).ledger;
  receiver = await startCallbackReceiver(CALLBACK_SECRET);
  tracker = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE, ledger });
});

afterAll(async () => {
  await receiver?.close();
  await sandbox?.close();
  await ledger?.close();
  await environment?.teardown();
});

beforeEach(() => {
  hooks = {};
  receiver.answer = () => 200;
});

/** With `callbacks`, outcomes are called back to the test's receiver (its answers decide when delivery ends). */
function stack<T>(body: () => Promise<T>, pushFallbackPollMs?: number, callbacks = false): Promise<T> {
  const adapter = createHoudiniAdapter({ url: sandbox.url, partnerId: PARTNER_ID, secret: SECRET, pushes: true, requestTimeoutMs: 5_000 });
  clock = recordRequestTimes({ houdini: adapter }, () => environment.currentTimeMs());
  // Hooks read through the variable, so a test can set its own before the stack starts.
  const currentHooks: FulfilmentHooks = { onSucceeded: (context) => hooks.onSucceeded?.(context) };
  return withWorkers(
    {
      connection: environment.nativeConnection,
      taskQueue: TASK_QUEUE,
      providers: clock.providers,
      ledger,
      hooks: currentHooks,
      callbackSender: callbacks ? createCallbackSender({ url: receiver.url, secrets: [CALLBACK_SECRET] }) : undefined,
      pushFallbackPollMs: pushFallbackPollMs === undefined ? undefined : { houdini: pushFallbackPollMs },
    },
    body,
  );
}

function handleOf(orderId: string) {
  return environment.client.workflow.getHandle(orderWorkflowId('houdini', orderId));
}

/** With the requests of the wait in progress (the client reads them from the pending activity). */
function progressOf(orderId: string): Promise<Progress> {
  return tracker.progress('houdini', orderId);
}

/** What the bridge would push for this Houdini status code. */
function pushed(orderId: string, code: number): Observation {
  return normalizeHoudiniOrder({ houdiniId: orderId, status: code, expires: null }, Date.now(), true);
}

function eventTime(event: HistoryEvent): number {
  return tsToMs(event.eventTime);
}

/** Server times of the order's requests to the provider. */
function pollsAt(orderId: string): number[] {
  return clock.times(orderId);
}

/** How many waits a push (or cancel) cut short. */
function cancelledWaits(history: History): number {
  return (history.events ?? []).filter((event) => event.activityTaskCancelRequestedEventAttributes).length;
}

function signalsAt(history: History): number[] {
  return (history.events ?? []).filter((event) => event.workflowExecutionSignaledEventAttributes).map(eventTime);
}

function firstScheduledAt(history: History, activityType: string): number {
  const event = (history.events ?? []).find((candidate) => candidate.activityTaskScheduledEventAttributes?.activityType?.name === activityType);
  if (event === undefined) throw new Error(`no ${activityType} scheduled`);
  return eventTime(event);
}

/** Real-time wait for the first poll: it needs no timer, so no time has to be skipped. */
async function firstPoll(orderId: string): Promise<void> {
  await eventually('the first poll', async () => (await progressOf(orderId)).polls >= 1);
}

test.each([
  ['CONFIRMING suggests 20 s: the poll comes 20 s after the push', 20_000],
  ['a push that suggests asking at once: the poll waits for the 5 s floor', 0],
])('a statusPushed signal wakes the 30 s wait: %s', async (_name, nextWaitMs) => {
  const orderId = uniqueId('wake');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING' }] });
  await stack(async () => {
    await tracker.track('houdini', orderId);
    await firstPoll(orderId);
    const response = await tracker.push('houdini', orderId, { ...pushed(orderId, 1), nextWaitMs });
    expect(response).toMatchObject({ kind: 'signalled' });
    await environment.sleep(25_000);
    await eventually('the poll after the push', async () => (await progressOf(orderId)).polls >= 2);
    await handleOf(orderId).terminate('push test done');
  });

  const history = await handleOf(orderId).fetchHistory();
  const [firstPollAt, secondPollAt] = pollsAt(orderId) as [number, number];
  const [pushAt] = signalsAt(history) as [number];
  const expectedAt = Math.max(firstPollAt + FLOOR_MS, pushAt + nextWaitMs);
  expect(secondPollAt).toBeGreaterThanOrEqual(expectedAt - 100);
  expect(secondPollAt).toBeLessThan(expectedAt + SLACK_MS);
  expect(secondPollAt - firstPollAt).toBeLessThan(DEPOSIT_POLL_MS);
  // The 30 s wait was cancelled by the push at once (in the push's workflow task) and replaced by
  // the push's; no workflow timer either way.
  expect(cancelledWaits(history)).toBe(1);
  const cancelAt = eventTime((history.events ?? []).find((event) => event.activityTaskCancelRequestedEventAttributes) as HistoryEvent);
  expect(cancelAt - pushAt).toBeLessThan(SLACK_MS);
  expect(timerDurationsMs(history)).toEqual([]);
});

test('a pushed FINISHED is confirmed by one poll at the floor, then fulfilled once', async () => {
  const orderId = uniqueId('confirm');
  // The simulator's REST answer agrees with the push from the second request on.
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING', requests: 1 }, { status: 'FINISHED', fields: { outTxHash: 'out-tx' } }] });
  const { result, progress } = await stack(async () => {
    await tracker.track('houdini', orderId);
    await firstPoll(orderId);
    await tracker.push('houdini', orderId, pushed(orderId, 4));
    const outcome = await tracker.result('houdini', orderId);
    return { result: outcome, progress: await progressOf(orderId) };
  });

  expect(result).toMatchObject({ outcome: 'succeeded', status: 'FINISHED', polls: 2, pushes: 1 });
  // The confirming poll's answer is the one kept (it carries what the push did not).
  expect(result.details).toMatchObject({ outTxHash: 'out-tx' });
  expect(progress.transitions.map(({ status, source }) => `${status}:${source}`)).toEqual(['WAITING:poll', 'FINISHED:push']);
  const history = await handleOf(orderId).fetchHistory();
  const [firstPollAt, confirmAt] = pollsAt(orderId) as [number, number];
  const [pushAt] = signalsAt(history) as [number];
  expect(confirmAt).toBeGreaterThanOrEqual(Math.max(pushAt, firstPollAt + FLOOR_MS) - 100);
  expect(confirmAt).toBeLessThan(Math.max(pushAt, firstPollAt + FLOOR_MS) + SLACK_MS);
  expect(firstScheduledAt(history, 'recordOutcome')).toBeGreaterThan(confirmAt);
  expect(activityCount(history, 'recordOutcome')).toBe(1);
  expect(await ledger.find('houdini', orderId)).toMatchObject({ outcome: 'succeeded', final: true, status: 'FINISHED' });
  saveHistory('pushed-terminal-confirmed', history);
});

test('with Houdini pushes configured (PUSH_FALLBACK_POLL) but no verified push known to the poll, polls keep the status cadence', async () => {
  // The poll request carries no `pushesSeen` (the workflow does not pass it yet): the worker cannot
  // know a push ever reached this order, so it must not stretch the wait to the fallback (push-fallback.ts).
  const fallbackMs = 120_000;
  const orderId = uniqueId('fallback');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING', requests: 2 }, { status: 'FINISHED' }] });
  const result = await stack(async () => {
    await tracker.track('houdini', orderId);
    return tracker.result('houdini', orderId);
  }, fallbackMs);

  expect(result).toMatchObject({ outcome: 'succeeded', status: 'FINISHED', polls: 3, pushes: 0 });
  const history = await handleOf(orderId).fetchHistory();
  // WAITING's own cadence (30 s), not the 2-minute fallback, read from the requests' server times.
  const gaps = clock.gapsMs(orderId);
  expect(gaps).toHaveLength(2);
  for (const gap of gaps) {
    expect(gap).toBeGreaterThanOrEqual(DEPOSIT_POLL_MS - 100);
    expect(gap).toBeLessThan(DEPOSIT_POLL_MS + SLACK_MS);
  }
  expect(timerDurationsMs(history)).toEqual([]);
});

test('with Houdini pushes configured (PUSH_FALLBACK_POLL), once a verified push reached the order its polls wait the fallback', async () => {
  const fallbackMs = 120_000;
  const orderId = uniqueId('fallback-pushed');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING', requests: 1 }, { status: 'CONFIRMING', requests: 1 }, { status: 'FINISHED' }] });
  const result = await stack(async () => {
    await tracker.track('houdini', orderId);
    await firstPoll(orderId);
    await tracker.push('houdini', orderId, pushed(orderId, 1));
    return tracker.result('houdini', orderId);
  }, fallbackMs);

  expect(result).toMatchObject({ outcome: 'succeeded', status: 'FINISHED', polls: 3, pushes: 1 });
  // After the push (CONFIRMING suggests 20 s), the unchanged CONFIRMING is asked again only after
  // the fallback: the push channel reports changes, polls only cover a lost push.
  const [, afterPush] = clock.gapsMs(orderId) as [number, number];
  expect(afterPush).toBeGreaterThanOrEqual(fallbackMs - 100);
  expect(afterPush).toBeLessThan(fallbackMs + SLACK_MS);
});

test('with confirmPushedTerminal: false a pushed final status is fulfilled without another poll', async () => {
  const orderId = uniqueId('no-confirm');
  // REST would still say WAITING: only the push can end this order.
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING' }] });
  const trusting = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE, ledger, settings: { confirmPushedTerminal: false } });
  const result = await stack(async () => {
    await trusting.track('houdini', orderId);
    await firstPoll(orderId);
    await trusting.push('houdini', orderId, pushed(orderId, 7));
    return trusting.result('houdini', orderId);
  });

  expect(result).toMatchObject({ outcome: 'failed', status: 'REFUNDED', polls: 1, pushes: 1 });
  const history = await handleOf(orderId).fetchHistory();
  // The first poll, then a wait the push cancelled before its first request.
  expect(activityCount(history, 'pollUntilChanged')).toBe(2);
  expect(cancelledWaits(history)).toBe(1);
  expect(activityCount(history, 'recordOutcome')).toBe(1);
  expect(sandbox.requests(orderId)).toHaveLength(1);
  expect(await ledger.find('houdini', orderId)).toMatchObject({ outcome: 'failed', final: true, status: 'REFUNDED' });
});

test('a push ranked below the current status (or unknown) is counted but changes nothing and wakes nothing', async () => {
  const orderId = uniqueId('older');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'EXCHANGING' }] });
  await stack(async () => {
    await tracker.track('houdini', orderId);
    await firstPoll(orderId);
    const before = await progressOf(orderId);
    await tracker.push('houdini', orderId, pushed(orderId, 1)); // CONFIRMING, rank 4 < EXCHANGING's 5
    await tracker.push('houdini', orderId, pushed(orderId, 2)); // the same status again
    await tracker.push('houdini', orderId, pushed(orderId, 42)); // UNKNOWN_42, rank 0
    await eventually('three pushes seen', async () => (await progressOf(orderId)).pushes === 3);
    const after = await progressOf(orderId);
    expect(after).toMatchObject({ status: 'EXCHANGING', polls: 1, nextPollAt: before.nextPollAt, transitions: before.transitions });
    await environment.sleep(DEPOSIT_POLL_MS + 5_000);
    await eventually('the timer poll', async () => (await progressOf(orderId)).polls >= 2);
    await handleOf(orderId).terminate('push test done');
  });

  const history = await handleOf(orderId).fetchHistory();
  const [firstPollAt, secondPollAt] = pollsAt(orderId) as [number, number];
  // No wait cancelled: the exchanging cadence ran its course.
  expect(cancelledWaits(history)).toBe(0);
  expect(secondPollAt - firstPollAt).toBeGreaterThanOrEqual(DEPOSIT_POLL_MS - 100);
  expect(secondPollAt - firstPollAt).toBeLessThan(DEPOSIT_POLL_MS + SLACK_MS);
});

test('pushes after the order finished are ignored: during fulfilment by the workflow, after it by the ledger', async () => {
  const orderId = uniqueId('late');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING', requests: 1 }, { status: 'FINISHED' }] });
  let hookEntered = false;
  let releaseHook!: () => void;
  const hookReleased = new Promise<void>((resolve) => (releaseHook = resolve));
  hooks = {
    onSucceeded: async () => {
      hookEntered = true;
      await hookReleased;
    },
  };
  const { result, firstRunId } = await stack(async () => {
    const started = await tracker.track('houdini', orderId);
    await firstPoll(orderId);
    await tracker.push('houdini', orderId, pushed(orderId, 4));
    await environment.sleep(FLOOR_MS + 1_000); // the confirming poll waits for the floor
    await eventually('fulfilment reached the hook', () => hookEntered);
    const fulfilling = await progressOf(orderId);
    expect(fulfilling).toMatchObject({ outcome: 'succeeded', status: 'FINISHED', fulfilment: { recorded: true } });

    // Straight to the workflow (a bridge racing the ledger write would do this): the handler drops them.
    const handle = handleOf(orderId);
    await handle.signal(statusPushedSignal, pushed(orderId, 6));
    await handle.signal(statusPushedSignal, { ...pushed(orderId, 3), rank: 1_000 });
    const after = await progressOf(orderId);
    expect(after).toMatchObject({ status: 'FINISHED', pushes: fulfilling.pushes, transitions: fulfilling.transitions });

    releaseHook();
    const outcome = await tracker.result('houdini', orderId);
    // Through the tracker after the end: the ledger's final row stops it before any signal.
    expect(await tracker.push('houdini', orderId, pushed(orderId, 4))).toMatchObject({ kind: 'ignored' });
    expect(await tracker.push('houdini', orderId, pushed(orderId, 6))).toMatchObject({ kind: 'ignored' });
    return { result: outcome, firstRunId: started.kind === 'tracking' ? started.runId : undefined };
  });

  expect(result).toMatchObject({ outcome: 'succeeded', status: 'FINISHED', pushes: 1 });
  const description = await handleOf(orderId).describe();
  expect(description).toMatchObject({ runId: firstRunId, status: { name: 'COMPLETED' } });
  const history = await handleOf(orderId).fetchHistory();
  expect(activityCount(history, 'recordOutcome')).toBe(1);
  expect(activityCount(history, 'runHook')).toBe(1);
  // The first poll, the wait the push cancelled, the confirming poll: two requests.
  expect(activityCount(history, 'pollUntilChanged')).toBe(3);
  expect(sandbox.requests(orderId)).toHaveLength(2);
});

test('pushes every second never beat the per-order 5 s floor', async () => {
  const orderId = uniqueId('floor');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING' }] });
  const PUSHES = 16;
  await stack(async () => {
    await tracker.track('houdini', orderId);
    await firstPoll(orderId);
    for (let index = 0; index < PUSHES; index += 1) {
      // Each one newer than anything before and asking for a poll at once: the worst a provider can do.
      await tracker.push('houdini', orderId, { status: `STEP_${index}`, phase: 'in_flight', recognised: true, rank: 10 + index, nextWaitMs: 0, details: {} });
      await environment.sleep(1_000);
    }
    await eventually('every push seen', async () => (await progressOf(orderId)).pushes === PUSHES);
    await handleOf(orderId).terminate('push test done');
  });

  const gaps = clock.gapsMs(orderId);
  // Woken well before the 30 s cadence (the first push moved the next request to the floor; once
  // that wait asks, later pushes let it run), and still no closer than the floor.
  expect(gaps.length).toBeGreaterThanOrEqual(1);
  for (const gap of gaps) {
    expect(gap).toBeGreaterThanOrEqual(FLOOR_MS - 100);
    expect(gap).toBeLessThan(DEPOSIT_POLL_MS);
  }
});

test('a push restarting an order that ended timed_out keeps the merchant reference the ledger holds', async () => {
  const orderId = uniqueId('restart-ref');
  // Still WAITING at the first poll, 30 s later and at the deadline poll: the order ends timed_out.
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING', requests: 3 }, { status: 'FINISHED' }] });
  const { first, second } = await stack(async () => {
    await tracker.track('houdini', orderId, { reference: 'merchant-77', maxWaitMs: 60_000 });
    const timedOut = await tracker.result('houdini', orderId);
    // The provider pushes the final status later: tracking starts again from the push.
    expect(await tracker.push('houdini', orderId, pushed(orderId, 4))).toMatchObject({ kind: 'signalled' });
    return { first: timedOut, second: await tracker.result('houdini', orderId) };
  });
  expect(first.outcome).toBe('timed_out');
  expect(second).toMatchObject({ outcome: 'succeeded', status: 'FINISHED' });
  // Before, the push's run started with reference null and the final row lost the merchant's reference.
  expect(await ledger.find('houdini', orderId)).toMatchObject({ outcome: 'succeeded', final: true, reference: 'merchant-77' });
});

test('a replayed push of the status a timed_out order ended with starts no run; a newer status does (issue 29, R4)', async () => {
  const orderId = uniqueId('replayed-after-end');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING', requests: 3 }, { status: 'FINISHED' }] });
  const { timedOut, replays, newer, second } = await stack(async () => {
    await tracker.track('houdini', orderId, { maxWaitMs: 60_000 });
    const ended = await tracker.result('houdini', orderId);
    const runId = (await environment.client.workflow.getHandle(orderWorkflowId('houdini', orderId)).describe()).runId;
    // The webhook captured while the order was WAITING, replayed after the ingress forgot it.
    const answers = [await tracker.push('houdini', orderId, pushed(orderId, 0)), await tracker.push('houdini', orderId, pushed(orderId, 0))];
    const stillClosed = await environment.client.workflow.getHandle(orderWorkflowId('houdini', orderId)).describe();
    expect({ runId: stillClosed.runId, status: stillClosed.status.name }).toEqual({ runId, status: 'COMPLETED' });
    const newerAnswer = await tracker.push('houdini', orderId, pushed(orderId, 4));
    return { timedOut: ended, replays: answers, newer: newerAnswer, second: await tracker.result('houdini', orderId) };
  });
  expect(timedOut.outcome).toBe('timed_out');
  for (const replay of replays) expect(replay).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/not newer than WAITING/) });
  expect(newer).toMatchObject({ kind: 'signalled' });
  expect(second.outcome).toBe('succeeded');
  // One timed_out callback: the replays sent the merchant nothing.
  expect((await ledger.find('houdini', orderId))?.outcome).toBe('succeeded');
});

test('a track after the push that started an order hands it the reference and max wait, and says so', async () => {
  const orderId = uniqueId('push-then-track');
  // Never leaves WAITING: the order ends timed_out at the max wait it was given.
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING' }] });
  const { joined, trackedAt, progress, result } = await stack(async () => {
    // The push comes first and starts the order with the default max wait (hours) and no reference.
    expect(await tracker.push('houdini', orderId, pushed(orderId, 0))).toMatchObject({ kind: 'signalled' });
    await eventually('the pushed order is running', async () => (await progressOf(orderId)).pushes === 1);
    const at = await environment.currentTimeMs();
    const response = await tracker.track('houdini', orderId, { reference: 'merchant-9', maxWaitMs: 120_000 });
    await eventually('the order took the reference', async () => (await progressOf(orderId)).reference === 'merchant-9');
    return { joined: response.kind === 'tracking' ? response.joined : undefined, trackedAt: at, progress: await progressOf(orderId), result: await tracker.result('houdini', orderId) };
  });
  expect(joined).toEqual({ startedBy: 'push', handedOver: ['reference', 'maxWait'], kept: {} });
  // Before, the track was silently attached to the pushed run: default max wait, reference null.
  const deadline = Date.parse(progress.deadline);
  expect(deadline).toBeGreaterThanOrEqual(trackedAt + 120_000);
  expect(deadline).toBeLessThan(trackedAt + 120_000 + 60_000);
  expect(result.outcome).toBe('timed_out');
  expect(Date.parse(result.finishedAt)).toBeLessThan(trackedAt + 120_000 + 120_000);
  expect(await ledger.find('houdini', orderId)).toMatchObject({ outcome: 'timed_out', reference: 'merchant-9' });
});

test('a second track of a tracked order keeps the first one\'s settings and says which', async () => {
  const orderId = uniqueId('track-twice');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING', requests: 2 }, { status: 'FINISHED' }] });
  const { first, second } = await stack(async () => {
    const firstResponse = await tracker.track('houdini', orderId, { reference: 'cart-1', maxWaitMs: 3_600_000 });
    const secondResponse = await tracker.track('houdini', orderId, { reference: 'cart-2', maxWaitMs: 60_000 });
    await tracker.result('houdini', orderId);
    return { first: firstResponse, second: secondResponse };
  });
  expect(first).toMatchObject({ kind: 'tracking' });
  expect(first.kind === 'tracking' && first.joined).toBe(undefined);
  expect(second.kind === 'tracking' && second.joined).toEqual({ startedBy: 'track', handedOver: [], kept: { reference: 'cart-1', maxWaitMs: 3_600_000 } });
  expect(await ledger.find('houdini', orderId)).toMatchObject({ outcome: 'succeeded', reference: 'cart-1' });
});

/** The receiver is down for every timed_out callback (503), up for any other. */
function downForTimedOut(request: { idempotencyKey: string }): number {
  return request.idempotencyKey.includes(':timed_out:') ? 503 : 200;
}

function callbacksOf(orderId: string) {
  return receiver.received.filter((delivery) => delivery.idempotencyKey.startsWith(`houdini:${orderId}:`));
}

/** Ends timed_out at its 60 s max wait (three WAITING answers) while its callback cannot be delivered. */
async function timedOutWhileDelivering(orderId: string, options: { reference?: string } = {}): Promise<void> {
  await tracker.track('houdini', orderId, { maxWaitMs: 60_000, ...options });
  await environment.sleep(65_000);
  await eventually('timed_out recorded, its callback refused', async () => {
    const row = await ledger.find('houdini', orderId);
    return row?.outcome === 'timed_out' && callbacksOf(orderId).length >= 1;
  });
  // Still open, retrying the callback (for days before LATE_NEWS_PATCH held the workflow id all that time).
  expect((await handleOf(orderId).describe()).status.name).toBe('RUNNING');
}

test('a success push while a timed_out callback cannot be delivered ends the order succeeded within seconds: one final row, one succeeded callback', async () => {
  const orderId = uniqueId('late-success');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING', requests: 3 }, { status: 'FINISHED' }] });
  receiver.answer = downForTimedOut;
  const { pushedAt, succeededAt, result, firstRunId } = await stack(
    async () => {
      await timedOutWhileDelivering(orderId);
      const firstRun = (await handleOf(orderId).describe()).runId;
      const at = await environment.currentTimeMs();
      // Before, the run delivering timed_out dropped this push (answered, ignored) and held the id for days.
      expect(await tracker.push('houdini', orderId, pushed(orderId, 4))).toMatchObject({ kind: 'signalled', runId: firstRun });
      await eventually('succeeded recorded', async () => (await ledger.find('houdini', orderId))?.outcome === 'succeeded');
      return { pushedAt: at, succeededAt: await environment.currentTimeMs(), result: await tracker.result('houdini', orderId), firstRunId: firstRun };
    },
    undefined,
    true,
  );
  expect(succeededAt - pushedAt).toBeLessThan(10_000);
  expect(result).toMatchObject({ outcome: 'succeeded', status: 'FINISHED' });
  expect(await ledger.find('houdini', orderId)).toMatchObject({ outcome: 'succeeded', final: true, callback: 'delivered' });
  // Delivered: one succeeded callback; every timed_out attempt was refused and none came after the push.
  expect(receiver.processed().filter((key) => key.startsWith(`houdini:${orderId}:`))).toEqual([`houdini:${orderId}:succeeded`]);
  expect(callbacksOf(orderId).filter((delivery) => delivery.status !== 503).map((delivery) => delivery.idempotencyKey)).toEqual([`houdini:${orderId}:succeeded`]);

  // The timed_out run stopped delivering and continued as new from the push.
  const firstRun = environment.client.workflow.getHandle(orderWorkflowId('houdini', orderId), firstRunId);
  expect((await firstRun.describe()).status.name).toBe('CONTINUED_AS_NEW');
  const history = await firstRun.fetchHistory();
  saveHistory('late-push-reopens-timed-out', history);
  expect(patchMarkers(history).map((marker) => marker.id)).toContain(LATE_NEWS_PATCH);
  // The callback waiting for its retry was cancelled, and the server confirmed it, before the new run began.
  expect(cancelledWaits(history)).toBe(1);
  expect((history.events ?? []).filter((event) => event.activityTaskCanceledEventAttributes)).toHaveLength(1);
});

test('a track while a timed_out callback cannot be delivered tracks again with its own settings, and says so', async () => {
  const orderId = uniqueId('late-track');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING', requests: 3 }, { status: 'FINISHED' }] });
  receiver.answer = downForTimedOut;
  const { response, result } = await stack(
    async () => {
      await timedOutWhileDelivering(orderId, { reference: 'cart-old' });
      const again = await tracker.track('houdini', orderId, { reference: 'cart-new', maxWaitMs: 600_000 });
      // Waiting on the ledger first: the time-skipping server answers a result long-poll across a continue-as-new slowly.
      await eventually('succeeded recorded', async () => (await ledger.find('houdini', orderId))?.outcome === 'succeeded');
      return { response: again, result: await tracker.result('houdini', orderId) };
    },
    undefined,
    true,
  );
  // Before, the track joined the closing run and reported it as running.
  expect(response).toMatchObject({ kind: 'tracking', joined: { reopens: 'timed_out', handedOver: ['reference', 'maxWait'], kept: {} } });
  expect(result).toMatchObject({ outcome: 'succeeded', status: 'FINISHED' });
  expect(await ledger.find('houdini', orderId)).toMatchObject({ outcome: 'succeeded', final: true, reference: 'cart-new' });
  expect(receiver.processed().filter((key) => key.startsWith(`houdini:${orderId}:`))).toEqual([`houdini:${orderId}:succeeded`]);
});

test('a success push while a tracking_cancelled callback cannot be delivered tracks again and ends succeeded', async () => {
  const orderId = uniqueId('late-after-cancel');
  // One WAITING answer: the poll that confirms the pushed FINISHED sees it too.
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING', requests: 1 }, { status: 'FINISHED' }] });
  receiver.answer = (request) => (request.idempotencyKey.includes(':tracking_cancelled:') ? 503 : 200);
  const result = await stack(
    async () => {
      await tracker.track('houdini', orderId, { maxWaitMs: 3_600_000 });
      await firstPoll(orderId);
      await tracker.cancel('houdini', orderId, 'merchant gave up');
      await eventually('tracking_cancelled recorded, its callback refused', async () => {
        const row = await ledger.find('houdini', orderId);
        return row?.outcome === 'tracking_cancelled' && callbacksOf(orderId).length >= 1;
      });
      expect(await tracker.push('houdini', orderId, pushed(orderId, 4))).toMatchObject({ kind: 'signalled' });
      await eventually('succeeded recorded', async () => (await ledger.find('houdini', orderId))?.outcome === 'succeeded');
      return tracker.result('houdini', orderId);
    },
    undefined,
    true,
  );
  // The run that was asked to cancel continued as new all the same: the new run is not cancelled.
  expect(result).toMatchObject({ outcome: 'succeeded', status: 'FINISHED' });
  expect(receiver.processed().filter((key) => key.startsWith(`houdini:${orderId}:`))).toEqual([`houdini:${orderId}:succeeded`]);
});

test('a cancel stands against in-flight pushes: one arriving while tracking_cancelled is delivered starts nothing, and the ingress starts nothing from one after', async () => {
  const orderId = uniqueId('cancel-holds');
  // The order never moves at the provider: WAITING forever (Houdini's WebSocket repeats it).
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING' }] });
  let receiverUp = false;
  receiver.answer = (request) => (request.idempotencyKey.includes(':tracking_cancelled:') && !receiverUp ? 503 : 200);
  const { runId, afterClose } = await stack(
    async () => {
      await tracker.track('houdini', orderId, { maxWaitMs: 3_600_000 });
      // (A cancel while the first attempt is in flight fails the workflow task on the time-skipping
      // server: ACTIVITY_UNKNOWN; the dev server and the cluster take it.)
      await firstPoll(orderId);
      await tracker.cancel('houdini', orderId, 'merchant gave up');
      await eventually('tracking_cancelled recorded, its callback refused', async () => {
        const row = await ledger.find('houdini', orderId);
        return row?.outcome === 'tracking_cancelled' && callbacksOf(orderId).length >= 1;
      });
      const delivering = (await handleOf(orderId).describe()).runId;
      // WAITING (what the order saw) and CONFIRMING (a newer status: it tracked again before).
      expect(await tracker.push('houdini', orderId, pushed(orderId, 0))).toMatchObject({ kind: 'signalled', runId: delivering });
      expect(await tracker.push('houdini', orderId, pushed(orderId, 1))).toMatchObject({ kind: 'signalled', runId: delivering });
      receiverUp = true;
      await handleOf(orderId).result();
      // Closed: the ingress starts no run for an in-flight push of a cancelled order.
      return { runId: delivering, afterClose: await tracker.push('houdini', orderId, pushed(orderId, 1)) };
    },
    undefined,
    true,
  );
  expect(afterClose).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('tracking was cancelled') });
  const run = environment.client.workflow.getHandle(orderWorkflowId('houdini', orderId), runId);
  expect((await run.describe()).status.name).toBe('COMPLETED');
  expect(await run.result()).toMatchObject({ outcome: 'tracking_cancelled' });
  expect((await handleOf(orderId).describe()).runId).toBe(runId);
  expect(await ledger.find('houdini', orderId)).toMatchObject({ outcome: 'tracking_cancelled', callback: 'delivered' });
  const history = await run.fetchHistory();
  saveHistory('cancel-holds-against-in-flight-pushes', history);
  expect(patchMarkers(history).map((marker) => marker.id)).toContain(CANCEL_HOLDS_PATCH);
});
