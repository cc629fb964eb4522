/**
 * A poll overtaken by a push, on the time-skipping server against the Houdini simulator over HTTP:
 * a poll is in flight, a FINISHED push reaches the workflow, and only then does the poll's WAITING
 * answer arrive. The push stays current (no status regression) and the pushed final status is
 * confirmed by the next poll. With retry-driven polling the push cancels the wait, so the late
 * answer never reaches the workflow; runs recorded before it kept the answer out by rank and
 * recorded the `poll-overtaken-by-push` marker (test/histories/v3/poll-overtaken-by-push.json,
 * recorded from this test on the timer loop, replays in replay.test.ts).
 *
 * The overtaking is produced deterministically: the Houdini adapter is wrapped so that one chosen
 * request goes to the simulator as usual, and the simulator's answer (WAITING) is then held back
 * from the activity until the test has seen the push applied. That is the race as it happens in
 * production: the provider answered, then pushed a newer status that reached the workflow first.
 *
 * The history is saved as test-output/histories/poll-overtaken-by-push.json.
 */
import type { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Ledger } from '../../storage/ledger/ledger';
import { createHoudiniAdapter } from '../../providers/houdini/houdini-client';
import { normalizeHoudiniOrder } from '../../providers/houdini/houdini-observation';
import type { ProviderAdapter } from '../../providers/provider';
import { OrderTracker } from '../../client/order-tracker';
import { startHoudiniSandbox, type HoudiniSandbox } from '../../sandbox/houdini';
import { orderWorkflowId } from '../../domain/ids';
import { POLL_OVERTAKEN_BY_PUSH_PATCH } from '../../workflows/track-order';
import type { Observation, Progress } from '../../domain/types';
import { createTimeSkippingEnvironment } from '../helpers/environments';
import { eventually } from '../helpers/eventually';
import { activityCount, patchMarkers, saveHistory } from '../helpers/history';
import { temporaryLedger, uniqueId, withWorkers } from '../helpers/worker-stack';

type History = temporal.api.history.v1.IHistory;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const PARTNER_ID = 'overtaken-workflow-partner';
const SECRET = 'overtaken-workflow-secret';
const TASK_QUEUE = 'poll-overtaken-by-push-test';
/** Houdini's deposit cadence (WAITING): the timer before the second poll. */
const DEPOSIT_POLL_MS = 30_000;

let environment: TestWorkflowEnvironment;
let sandbox: HoudiniSandbox;
let ledger: Ledger;
let tracker: OrderTracker;

beforeAll(async () => {
  environment = await createTimeSkippingEnvironment();
  sandbox = await startHoudiniSandbox({ partnerId: PARTNER_ID, secret: SECRET });
  ledger = (await temporaryLedger()).ledger;
  tracker = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE, ledger });
});

afterAll(async () => {
  await sandbox?.close();
  await ledger?.close();
  await environment?.teardown();
});

/** One request whose answer is held back: `answered` once the simulator answered, `release` to hand it over. */
interface HeldAnswer {
  answered: Promise<Observation>;
  release(): void;
}

/**
 * Wraps the real adapter: after `holdNext()`, the next request is made to the simulator as usual,
 * and its answer is held until `release()` (or until the activity is cancelled).
 */
function holdingAdapter(adapter: ProviderAdapter): { adapter: ProviderAdapter; holdNext(): HeldAnswer } {
  let next: { onAnswered: (observation: Observation) => void; released: Promise<void> } | undefined;
  return {
    adapter: {
      name: adapter.name,
      async fetchOrder(orderId, signal) {
        const held = next;
        next = undefined;
        const observation = await adapter.fetchOrder(orderId, signal);
        if (held !== undefined) {
          held.onAnswered(observation);
          await new Promise<void>((resolve, reject) => {
            void held.released.then(resolve);
            signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
          });
        }
        return observation;
      },
    },
    holdNext() {
      let onAnswered!: (observation: Observation) => void;
      let release!: () => void;
      const answered = new Promise<Observation>((resolve) => (onAnswered = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      next = { onAnswered, released };
      return { answered, release };
    },
  };
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

function withTimeout<T>(what: string, promise: Promise<T>, timeoutMs = 20_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`not within ${timeoutMs} ms: ${what}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

test('a poll answered WAITING after a pushed FINISHED reached the workflow is not applied (poll-overtaken-by-push); the push is confirmed by the next poll', async () => {
  const orderId = uniqueId('overtaken');
  // REST answers WAITING twice (the first poll, and the one the push overtakes), then FINISHED.
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING', requests: 2 }, { status: 'FINISHED', fields: { outTxHash: 'out-tx' } }] });
  const holding = holdingAdapter(createHoudiniAdapter({ url: sandbox.url, partnerId: PARTNER_ID, secret: SECRET, pushes: true, requestTimeoutMs: 5_000 }));

  const { result, whileHeld, afterRelease } = await withWorkers(
    { connection: environment.nativeConnection, taskQueue: TASK_QUEUE, providers: { houdini: holding.adapter }, ledger },
    async () => {
      await tracker.track('houdini', orderId);
      await eventually('the first poll', async () => (await progressOf(orderId)).polls >= 1);
      expect(await progressOf(orderId)).toMatchObject({ status: 'WAITING', polls: 1 });

      // The second poll, after WAITING's 30 s timer: the simulator answers WAITING, held back here.
      const held = holding.holdNext();
      try {
        await environment.sleep(DEPOSIT_POLL_MS + 1_000);
        const answer = await withTimeout('the second poll reached the simulator', held.answered);
        expect(answer).toMatchObject({ status: 'WAITING', phase: 'in_flight' });

        // While that answer is held, the bridge pushes FINISHED: it outranks WAITING and applies at once.
        expect(await tracker.push('houdini', orderId, pushed(orderId, 4))).toMatchObject({ kind: 'signalled' });
        await eventually('the push applied while the poll is in flight', async () => (await progressOf(orderId)).status === 'FINISHED');
        const pushedProgress = await progressOf(orderId);
        // The cancelled wait had made its request: counted, though its answer never arrives.
        expect(pushedProgress).toMatchObject({ status: 'FINISHED', phase: 'succeeded', polls: 2, pushes: 1, outcome: null });

        // Now the older WAITING answer arrives, at a wait that no longer exists.
        held.release();
        const outcome = await tracker.result('houdini', orderId);
        return { result: outcome, whileHeld: pushedProgress, afterRelease: await progressOf(orderId) };
      } finally {
        held.release();
      }
    },
  );

  // The overtaken WAITING was not applied: the pushed FINISHED stayed current, no transition back.
  expect(afterRelease).toMatchObject({ status: 'FINISHED', phase: 'succeeded', polls: 3, pushes: 1 });
  expect(afterRelease.transitions.map(({ status, source }) => `${status}:${source}`)).toEqual(['WAITING:poll', 'FINISHED:push']);
  expect(whileHeld.transitions).toEqual(afterRelease.transitions);

  // The third poll confirmed the pushed final status, and the order was fulfilled once.
  expect(result).toMatchObject({ outcome: 'succeeded', status: 'FINISHED', phase: 'succeeded', polls: 3, pushes: 1 });
  expect(result.details).toMatchObject({ outTxHash: 'out-tx' });
  expect(await ledger.find('houdini', orderId)).toMatchObject({ outcome: 'succeeded', final: true, status: 'FINISHED' });
  expect(sandbox.requests(orderId)).toHaveLength(3);

  const history = await handleOf(orderId).fetchHistory();
  // The first poll, the wait the push cancelled while its request was out, the confirming poll.
  expect(activityCount(history, 'pollUntilChanged')).toBe(3);
  expect((history.events ?? []).filter((event) => event.activityTaskCancelRequestedEventAttributes)).toHaveLength(1);
  expect(activityCount(history, 'recordOutcome')).toBe(1);
  // The new shape needs no rank check for this: no marker.
  expect(patchMarkers(history).filter((marker) => marker.id === POLL_OVERTAKEN_BY_PUSH_PATCH)).toHaveLength(0);
  saveHistory('poll-overtaken-by-push', history);
});
