/**
 * The exactly-once checks of a crash or fault run, once its orders were started: a bounded wait for
 * every order's workflow to close (with the evidence of any still open), then that each closed with
 * the outcome its script dictates, that each fulfilment step was scheduled once per order, that the
 * ledger holds one row per order with that outcome and a delivered callback, and that the receiver
 * processed each expected Idempotency-Key exactly once and nothing else.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { OrderTracker } from '../../client/order-tracker';
import { orderWorkflowId } from '../../domain/ids';
import type { CallbackReceiver } from '../servers/callback-receiver';
import type { PlannedOrder } from '../workload/planned-orders';
import { type LedgerReader, type LedgerRowRead, logicalKey, retrying } from './ledger-reader';

const SECOND = 1_000;

export interface ExactlyOnceInput {
  client: Client;
  tracker: OrderTracker;
  reader: LedgerReader;
  receiver: CallbackReceiver;
  orders: PlannedOrder[];
  /** Order ids whose tracking was started (the others are not waited for). */
  started: Set<string>;
  /** Whether a ledger key or callback key belongs to this run's orders. */
  ofThisRun: (key: string) => boolean;
  /** How long the orders may take to close, from now. */
  settleTimeoutMs: number;
  problem: (text: string) => void;
  log: (line: string) => void;
}

export interface ExactlyOnceReport {
  ordersStuck: number;
  ordersLost: number;
  /** Activity attempts after the first, by type, over all orders' histories. */
  stepsRetried: Record<string, number>;
  /** This run's ledger rows. */
  rows: LedgerRowRead[];
  /** Logical keys the receiver processed (the first 2xx of each), this run's. */
  processed: string[];
  badSignatures: number;
}

export async function checkExactlyOnce(input: ExactlyOnceInput): Promise<ExactlyOnceReport> {
  const { client, tracker, reader, receiver, orders, started, ofThisRun, problem, log } = input;
  // --- bounded wait for every workflow to close --------------------------------------------------
  const { settleTimeoutMs } = input;
  const settleDeadline = Date.now() + settleTimeoutMs;
  const open = new Set(orders.filter((order) => started.has(order.orderId)).map((order) => order.orderId));
  const closedStatus = new Map<string, string>();
  const planned = new Map(orders.map((order) => [order.orderId, order]));
  let lastReport = Date.now();
  while (open.size > 0 && Date.now() < settleDeadline) {
    const batch = [...open];
    for (let offset = 0; offset < batch.length; offset += 25) {
      await Promise.all(
        batch.slice(offset, offset + 25).map(async (orderId) => {
          const order = planned.get(orderId) as PlannedOrder;
          try {
            const description = await client.workflow.getHandle(orderWorkflowId(order.provider, orderId)).describe();
            if (description.status.name !== 'RUNNING') {
              open.delete(orderId);
              closedStatus.set(orderId, description.status.name);
            }
          } catch (error) {
            if (error instanceof WorkflowNotFoundError) {
              open.delete(orderId);
              closedStatus.set(orderId, 'NOT_FOUND');
            }
          }
        }),
      );
    }
    if (open.size > 0) {
      if (Date.now() - lastReport >= 5 * SECOND) {
        lastReport = Date.now();
        log(`${open.size} order(s) still running: ${[...open].slice(0, 5).join(', ')}${open.size > 5 ? ', …' : ''}`);
      }
      await sleep(SECOND);
    }
  }
  let ordersStuck = 0;
  for (const orderId of open) {
    ordersStuck += 1;
    const order = planned.get(orderId) as PlannedOrder;
    let evidence = '';
    try {
      const handle = client.workflow.getHandle(orderWorkflowId(order.provider, orderId));
      const description = await handle.describe();
      const time = (stamp: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
        stamp?.seconds == null ? '-' : new Date(Number(stamp.seconds) * 1000 + Math.floor((stamp.nanos ?? 0) / 1e6)).toISOString();
      const pending = (description.raw.pendingActivities ?? []).map((activity) =>
        [
          `${activity.activityType?.name} attempt ${activity.attempt}`,
          `scheduled ${time(activity.scheduledTime)}`,
          `started ${time(activity.lastStartedTime)} by ${activity.lastWorkerIdentity || '-'}`,
          activity.lastFailure?.message ?? '',
        ].join(' ').trim(),
      );
      const progress = await handle.query<{ status: string | null; outcome: string | null; fulfilment: unknown }>('progress');
      evidence = `status ${progress.status}, outcome ${progress.outcome}, fulfilment ${JSON.stringify(progress.fulfilment)}, pending activities [${pending.join('; ')}]`;
    } catch (error) {
      evidence = `(could not describe it: ${String(error)})`;
    }
    problem(`stuck: ${order.provider}:${orderId} (${order.kind}) still running ${settleTimeoutMs / SECOND} s after the last start: ${evidence}`);
  }

  // --- verification ------------------------------------------------------------------------
  for (const [orderId, status] of closedStatus) {
    const order = planned.get(orderId) as PlannedOrder;
    if (status !== 'COMPLETED') {
      problem(`${order.provider}:${orderId} (${order.kind}) closed as ${status}, not COMPLETED`);
      continue;
    }
    const result = await retrying(`result of ${orderId}`, () => tracker.result(order.provider, orderId));
    if (result.outcome !== order.expected) problem(`${order.provider}:${orderId} (${order.kind}) ended ${result.outcome}, expected ${order.expected}`);
  }

  // Each fulfilment step scheduled once per order (retries are attempts of that one activity),
  // and how many steps a kill made Temporal run again. An order can have more than one run: a push
  // that passed the ingress's ledger check just before the outcome was recorded starts a run after
  // the first closed, which finds the outcome in the ledger and delivers nothing. So: in each run
  // every step at most once, and over the order's runs one delivery and one hook.
  const FULFILMENT_STEPS = ['recordOutcome', 'deliverCallback', 'runHook'] as const;
  const stepsRetried: Record<string, number> = { pollOrder: 0, recordOutcome: 0, deliverCallback: 0, runHook: 0 };
  const closedIds = [...closedStatus.keys()];
  for (let offset = 0; offset < closedIds.length; offset += 20) {
    await Promise.all(
      closedIds.slice(offset, offset + 20).map(async (orderId) => {
        const order = planned.get(orderId) as PlannedOrder;
        const workflowId = orderWorkflowId(order.provider, orderId);
        const runIds = await retrying(`runs of ${orderId}`, async () => {
          const ids: string[] = [];
          for await (const execution of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) ids.push(execution.runId);
          return ids.length > 0 ? ids : [undefined];
        });
        const total: Record<string, number> = {};
        for (const runId of runIds) {
          const history = await retrying(`history of ${orderId}`, () => client.workflow.getHandle(workflowId, runId).fetchHistory());
          const typeOf = new Map<string, string>();
          const scheduled: Record<string, number> = {};
          for (const event of history.events ?? []) {
            const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
            if (name) {
              typeOf.set(String(event.eventId), name);
              scheduled[name] = (scheduled[name] ?? 0) + 1;
            }
            const started = event.activityTaskStartedEventAttributes;
            if (started && (started.attempt ?? 1) > 1) {
              const type = typeOf.get(String(started.scheduledEventId)) ?? 'unknown';
              stepsRetried[type] = (stepsRetried[type] ?? 0) + 1;
            }
          }
          for (const step of FULFILMENT_STEPS) {
            if ((scheduled[step] ?? 0) > 1) problem(`${order.provider}:${orderId}: ${step} scheduled ${scheduled[step]} times in run ${runId ?? 'latest'}`);
            total[step] = (total[step] ?? 0) + (scheduled[step] ?? 0);
          }
        }
        if ((total.recordOutcome ?? 0) < 1) problem(`${order.provider}:${orderId}: recordOutcome never scheduled`);
        if ((total.deliverCallback ?? 0) !== 1) problem(`${order.provider}:${orderId}: deliverCallback scheduled ${total.deliverCallback ?? 0} times over ${runIds.length} run(s), not once`);
        // Workers without a hook for the outcome schedule none (HOOKS_WHERE_SET_PATCH); never twice.
        if ((total.runHook ?? 0) > 1) problem(`${order.provider}:${orderId}: runHook scheduled ${total.runHook} times over ${runIds.length} run(s), not at most once`);
      }),
    );
  }

  const rows = (await reader.rows()).filter((row) => ofThisRun(row.order_key));
  const rowsByKey = new Map<string, (typeof rows)[number][]>();
  for (const row of rows) rowsByKey.set(row.order_key, [...(rowsByKey.get(row.order_key) ?? []), row]);
  let ordersLost = 0;
  for (const order of orders) {
    const key = `${order.provider}:${order.orderId}`;
    const found = rowsByKey.get(key) ?? [];
    rowsByKey.delete(key);
    if (found.length === 0) {
      ordersLost += 1;
      problem(`lost: ${key} (${order.kind}) has no ledger row`);
      continue;
    }
    if (found.length > 1) problem(`${key} has ${found.length} ledger rows`);
    const row = found[0] as (typeof rows)[number];
    if (row.outcome !== order.expected) problem(`${key} (${order.kind}): ledger says ${row.outcome}, expected ${order.expected}`);
    const final = order.expected === 'succeeded' || order.expected === 'failed';
    if (row.final !== final) problem(`${key}: ledger row final=${row.final}, expected ${final}`);
    if (row.callback !== 'delivered') problem(`${key}: ledger callback state ${row.callback}, expected delivered`);
  }
  for (const [key, extra] of rowsByKey) problem(`unexpected ledger row ${key} (outcome ${JSON.stringify(extra[0]?.outcome)})`);

  const expectedKeys = new Set(orders.map((order) => `${order.provider}:${order.orderId}:${order.expected}`));
  const processedKeys = receiver.processed().filter(ofThisRun);
  for (const key of processedKeys) {
    const outcome = logicalKey(key).split(':').at(-1);
    const final = outcome === 'succeeded' || outcome === 'failed';
    if (final !== (logicalKey(key) === key)) problem(`callback key ${key}: a non-final outcome's key carries its record's time, a final one's does not`);
  }
  // Each order is recorded once here, so its logical key (without the record's time) is unique too.
  const processed = processedKeys.map(logicalKey);
  for (const key of processed) if (!expectedKeys.has(key)) problem(`unexpected callback processed: ${key}`);
  const processedSet = new Set(processed);
  for (const key of expectedKeys) if (!processedSet.has(key)) problem(`callback never processed: ${key}`);
  if (processedSet.size !== processed.length) problem('a key was processed twice by the receiver');
  const badSignatures = receiver.received.filter((delivery) => !delivery.signatureValid).length;
  return { ordersStuck, ordersLost, stepsRetried, rows, processed, badSignatures };
}
