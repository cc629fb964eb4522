/**
 * The run's orders as they are played: the receiver's answers (a flaky first answer for some, a
 * worker killed while a delivery waits, a Temporal cancel sent while one order's callback is in
 * flight) and the orders started over the window — each scripted at its simulator, then tracked
 * (some twice at once), some cancelled by signal after a while.
 */
import type { TrackResponse } from '../../client/order-tracker';
import { orderWorkflowId } from '../../domain/ids';
import { logicalKey, retrying } from '../checks/ledger-reader';
import type { PlannedOrder } from '../workload/planned-orders';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CrashRun } from './crash-run';
import type { CrashStack } from './crash-stack';

/** What the orders, the receiver and the disruptions share while the run plays. */
export interface Playing {
  /** When the orders' clock started (their `startAt` counts from here). */
  runStart: number;
  /** Set while the Temporal server restarts: starts and cancels wait for it. */
  serverDown: Promise<void> | undefined;
  /** Set by a kill waiting for a callback: the receiver calls it before it answers the next delivery. */
  killOnCallback: (() => void) | undefined;
  /** Order ids whose tracking was started. */
  started: Set<string>;
  /** Every order's start (and cancel), awaited before the stack stops. */
  pendingWork: Promise<unknown>[];
  callbacksRefusedOnce: number;
  temporalCancelsDuringFulfilment: number;
  /** Callback keys whose Temporal cancel is still to be sent (empty at the end, or a problem). */
  cancelInFulfilment: Set<string>;
}

export function newPlaying(orders: readonly PlannedOrder[]): Playing {
  return {
    runStart: Date.now(),
    serverDown: undefined,
    killOnCallback: undefined,
    started: new Set(),
    pendingWork: [],
    callbacksRefusedOnce: 0,
    temporalCancelsDuringFulfilment: 0,
    cancelInFulfilment: new Set(
      orders.filter((order) => order.kind === 'temporal_cancel_in_fulfilment').map((order) => `${order.provider}:${order.orderId}:${order.expected}`),
    ),
  };
}

/** The receiver: flaky first answers, kills and a Temporal cancel while a callback is in flight. */
export function answerCallbacks(run: CrashRun, stack: CrashStack, orders: readonly PlannedOrder[], playing: Playing): void {
  const { receiver, client } = stack;
  const byKey = new Map(orders.map((order) => [`${order.provider}:${order.orderId}`, order]));
  const flakyKeys = new Set(orders.filter((order) => order.flakyCallback).map((order) => `${order.provider}:${order.orderId}:${order.expected}`));
  receiver.answer = ({ idempotencyKey, attempt }) => {
    if (attempt === 1 && flakyKeys.has(logicalKey(idempotencyKey))) {
      playing.callbacksRefusedOnce += 1;
      return 503;
    }
    return 200;
  };
  receiver.beforeAnswer = async ({ idempotencyKey }) => {
    if (playing.killOnCallback !== undefined) {
      const kill = playing.killOnCallback;
      playing.killOnCallback = undefined;
      kill(); // the worker dies while its deliverCallback waits for this answer
    }
    if (playing.cancelInFulfilment.delete(idempotencyKey)) {
      const order = byKey.get(idempotencyKey.split(':').slice(0, 2).join(':'));
      if (order !== undefined) {
        await retrying('Temporal cancel', () => client.workflow.getHandle(orderWorkflowId(order.provider, order.orderId)).cancel());
        playing.temporalCancelsDuringFulfilment += 1;
        run.log(`Temporal cancel sent to ${order.orderId} while its callback is in flight`);
        await sleep(500); // let the cancel reach the workflow before deliverCallback completes
      }
    }
  };
}

/** Starts every order at its moment of the window; resolves once all were started (and cancelled). */
export async function playOrders(run: CrashRun, stack: CrashStack, orders: readonly PlannedOrder[], playing: Playing): Promise<void> {
  for (const order of orders) {
    const wait = playing.runStart + order.startAt - Date.now();
    if (wait > 0) await sleep(wait);
    playing.pendingWork.push(startOrder(run, stack, order, playing));
  }
  await Promise.all(playing.pendingWork);
}

async function startOrder(run: CrashRun, stack: CrashStack, order: PlannedOrder, playing: Playing): Promise<void> {
  const { tracker, simulators } = stack;
  await playing.serverDown;
  await simulators.addOrder(order.provider, order.script);
  const track = () =>
    retrying(`track ${order.orderId}`, () => tracker.track(order.provider, order.orderId, { maxWaitMs: order.maxWaitMs, reference: `ref-${order.orderId}` }));
  try {
    if (order.kind === 'tracked_twice') {
      const [first, second] = await Promise.all([track(), track()]);
      const runIds = [first, second].map((response: TrackResponse) => (response.kind === 'tracking' ? response.runId : 'recorded'));
      if (runIds[0] !== runIds[1] || runIds[0] === 'recorded') {
        run.problem(`${order.orderId} tracked twice at once gave two different answers: ${runIds.join(' / ')}`);
      }
    } else {
      const response = await track();
      if (response.kind !== 'tracking') run.problem(`${order.orderId}: track returned ${response.kind} for a new order`);
    }
    playing.started.add(order.orderId);
  } catch (error) {
    run.problem(`${order.orderId} could not be started: ${String(error)}`);
    return;
  }
  if (order.cancelAfterMs !== undefined) {
    await sleep(order.cancelAfterMs);
    await playing.serverDown;
    try {
      await retrying(`cancel ${order.orderId}`, () => tracker.cancel(order.provider, order.orderId, 'crash test'));
    } catch (error) {
      run.problem(`${order.orderId}: the cancel signal could not be sent: ${String(error)}`);
    }
  }
}
