/**
 * The fault tier (issue 29): the crash test's workload (harness/workload) played through the fault
 * stack once per scenario, each scenario breaking links for a while mid-run and healing them. For
 * every scenario: every order ends with the outcome its script dictates, with one ledger row and one
 * processed callback (0 lost, 0 doubled; harness/checks/exactly-once.ts), no process dies, and the
 * figures of the heal: how late the orders held back by the fault were fulfilled after it (p95 of
 * heal → callback processed, over the orders whose verdict came while the link was broken) and
 * how long the backlog took to drain (heal → the last callback of the orders started before it).
 *
 *   npm run test:faults [-- --orders 200 --scenario latency --scenario down:worker-temporal …]
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { orderWorkflowId } from '../../domain/ids';
import { PROVIDER_NAMES, type ProviderName } from '../../domain/types';
import { random } from '../workload/random';
import { checkExactlyOnce } from '../checks/exactly-once';
import { logicalKey, retrying } from '../checks/ledger-reader';
import { type PlannedOrder, planOrders, scriptedDurationMs } from '../workload/planned-orders';
import { type FaultStack, startFaultStack } from './fault-stack';
import { type FaultRunReport, type FaultSize, type ScenarioReport, percentile } from './fault-report';
import { type Scenario, scenarioNamed } from './scenarios';

export const FULL_SIZE: FaultSize = { orders: 200, windowMs: 60_000, faultAtMs: 15_000, faultMs: 60_000, settleTimeoutMs: 300_000 };
/** What `npm test` plays: links broken for 10 s, a dozen orders. */
export const SMALL_SIZE: FaultSize = { orders: 12, windowMs: 8_000, faultAtMs: 2_000, faultMs: 10_000, settleTimeoutMs: 150_000 };

export interface FaultRunOptions extends FaultSize {
  scenarios: readonly string[];
  seed?: number;
  keepWorkDir?: boolean;
  log?: (line: string) => void;
}

const CALLBACK_SECRET = `faults-${randomBytes(8).toString('hex')}`;

export async function runFaultTier(options: FaultRunOptions): Promise<FaultRunReport> {
  const startedAt = Date.now();
  const seed = options.seed ?? Math.floor(Math.random() * 1_000_000);
  const rand = random(seed);
  const log = (line: string) => options.log?.(`[${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)} s] ${line}`);
  const scenarios = options.scenarios.map(scenarioNamed);
  const stack = await startFaultStack({ callbackSecret: CALLBACK_SECRET, runId: randomBytes(3).toString('hex'), log });
  const reports: ScenarioReport[] = [];
  try {
    for (const scenario of scenarios) {
      log(`scenario ${scenario.name}: ${scenario.description}`);
      const report = await runScenario(stack, scenario, options, rand, log);
      reports.push(report);
      log(`scenario ${scenario.name}: ${report.problems.length === 0 ? 'passed' : `${report.problems.length} problem(s)`}`);
    }
  } finally {
    await stack.close();
  }
  const problems = reports.flatMap((report) => report.problems.map((text) => `${report.scenario}: ${text}`));
  if (problems.length === 0 && !options.keepWorkDir) rmSync(stack.workDir, { recursive: true, force: true });
  return { seed, size: options, scenarios: reports, wallTimeMs: Date.now() - startedAt, workDir: stack.workDir, problems };
}

async function runScenario(stack: FaultStack, scenario: Scenario, size: FaultSize, rand: () => number, log: (line: string) => void): Promise<ScenarioReport> {
  const runId = randomBytes(3).toString('hex');
  const problems: string[] = [];
  const problem = (text: string) => {
    problems.push(text);
    log(`PROBLEM: ${text}`);
  };
  const orders = planOrders(size.orders, [...PROVIDER_NAMES], size.windowMs, runId, rand, true);
  const ofThisRun = (key: string) => key.includes(`:crash-${runId}-`);
  const exitsBefore = stack.worker.unexpectedExits.length + stack.ingress.unexpectedExits.length;
  const addedAt = new Map<string, number>();
  const started = new Set<string>();
  const { client, tracker, receiver } = stack;

  const cancelInFulfilment = new Set(orders.filter((order) => order.kind === 'temporal_cancel_in_fulfilment').map((order) => `${order.provider}:${order.orderId}:${order.expected}`));
  receiver.beforeAnswer = async ({ idempotencyKey }) => {
    if (!cancelInFulfilment.delete(idempotencyKey)) return;
    const [provider, orderId] = idempotencyKey.split(':') as [ProviderName, string];
    await retrying('Temporal cancel', () => client.workflow.getHandle(orderWorkflowId(provider, orderId)).cancel());
    await sleep(500); // the cancel reaches the workflow before deliverCallback completes
  };

  const startOrder = async (order: PlannedOrder) => {
    await stack.simulators[order.provider].addOrder(order.script as never);
    addedAt.set(order.orderId, Date.now());
    const track = () => retrying(`track ${order.orderId}`, () => tracker.track(order.provider, order.orderId, { maxWaitMs: order.maxWaitMs, reference: `ref-${order.orderId}` }));
    try {
      await (order.kind === 'tracked_twice' ? Promise.all([track(), track()]) : track());
      started.add(order.orderId);
    } catch (error) {
      problem(`${order.orderId} could not be started: ${String(error)}`);
      return;
    }
    if (order.cancelAfterMs === undefined) return;
    await sleep(order.cancelAfterMs);
    await retrying(`cancel ${order.orderId}`, () => tracker.cancel(order.provider, order.orderId, 'fault run')).catch((error: unknown) => problem(`${order.orderId}: cancel failed: ${String(error)}`));
  };

  const runStart = Date.now();
  const starter = (async () => {
    const pending: Promise<void>[] = [];
    for (const order of orders) {
      const wait = runStart + order.startAt - Date.now();
      if (wait > 0) await sleep(wait);
      pending.push(startOrder(order));
    }
    await Promise.all(pending);
  })();
  let faultStart = 0;
  let healAt = 0;
  const faulter = (async () => {
    await sleep(Math.max(0, runStart + size.faultAtMs - Date.now()));
    faultStart = Date.now();
    await scenario.apply(stack);
    log(`  ${scenario.name} applied; healing in ${size.faultMs / 1000} s`);
    await sleep(size.faultMs);
    await scenario.heal(stack);
    healAt = Date.now();
    log('  healed');
  })();
  try {
    await Promise.all([starter, faulter]);
  } finally {
    await stack.toxiproxy.reset().catch(() => undefined);
  }

  const checked = await checkExactlyOnce({ client, tracker, reader: stack.reader, receiver, orders, started, ofThisRun, settleTimeoutMs: size.settleTimeoutMs, problem, log });
  receiver.beforeAnswer = undefined;
  for (const exit of [...stack.worker.unexpectedExits, ...stack.ingress.unexpectedExits].slice(exitsBefore)) problem(`a process died on its own: ${exit}`);
  if (checked.badSignatures > 0) problem(`${checked.badSignatures} callback(s) had an invalid signature`);

  // When each order's callback was first taken (2xx), and what the heal held back.
  const fulfilledAt = new Map<string, number>();
  for (const delivery of receiver.received) {
    if (delivery.status < 200 || delivery.status >= 300 || !ofThisRun(delivery.idempotencyKey)) continue;
    const key = logicalKey(delivery.idempotencyKey);
    if (!fulfilledAt.has(key)) fulfilledAt.set(key, delivery.at);
  }
  const keyOf = (order: PlannedOrder) => `${order.provider}:${order.orderId}:${order.expected}`;
  const heldBack = orders.filter((order) => {
    if (order.expected !== 'succeeded' && order.expected !== 'failed') return false;
    const verdictAt = (addedAt.get(order.orderId) ?? Number.POSITIVE_INFINITY) + scriptedDurationMs(order);
    return verdictAt >= faultStart && verdictAt <= healAt;
  });
  const lags = heldBack.map((order) => Math.max(0, (fulfilledAt.get(keyOf(order)) ?? healAt) - healAt));
  const backlog = orders.filter((order) => (addedAt.get(order.orderId) ?? Number.POSITIVE_INFINITY) <= healAt);
  const drainMs = Math.max(0, ...backlog.map((order) => (fulfilledAt.get(keyOf(order)) ?? healAt) - healAt));
  const deliveries = receiver.received.filter((delivery) => ofThisRun(delivery.idempotencyKey));
  const webhooks = stack.simulators.ozzobit.webhooks().filter((entry) => entry.orderId.startsWith(`crash-${runId}-`));
  return {
    scenario: scenario.name,
    description: scenario.description,
    orders: orders.length,
    ledgerRows: checked.rows.length,
    callbacksProcessed: checked.processed.length,
    callbackRequests: deliveries.length,
    duplicateDeliveries: deliveries.filter((delivery) => delivery.status >= 200 && delivery.status < 300).length - fulfilledAt.size,
    ordersLost: checked.ordersLost,
    ordersStuck: checked.ordersStuck,
    heldBack: heldBack.length,
    lagAfterHealP95Ms: percentile(lags, 0.95),
    drainMs,
    webhooksRefused: webhooks.filter((entry) => entry.httpStatus !== 200).length,
    webhooksTaken: webhooks.filter((entry) => entry.httpStatus === 200).length,
    stepsRetried: checked.stepsRetried,
    problems,
  };
}
