/**
 * What a crash run checks once every order ended, beyond exactly-once (harness/checks/exactly-once.ts):
 * each provider's request log against its budget, the caller's own inspection of the live stack, a
 * final order tracked again (its recorded result, nothing started), and that every kill, restart and
 * blip asked for happened; then the report.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProviderName } from '../../domain/types';
import type { RequestLogEntry } from '../../sandbox/request-log';
import { cleanEnvironment } from '../cli-process';
import type { ExactlyOnceReport } from '../checks/exactly-once';
import { recoveryAfterKill } from '../checks/group-recovery';
import { retrying } from '../checks/ledger-reader';
import { busiestWindow, describeBusiestWindow, smallestGap } from '../checks/request-budget';
import { EXPECTED, type OrderKind, type PlannedOrder } from '../workload/planned-orders';
import { BUDGET_WINDOW_MS, type BudgetReport, type CrashTestReport, OUTCOMES, countBy, countInWorkerLogs } from './crash-report';
import type { CrashRun } from './crash-run';
import { type CrashProcesses, type CrashStack, NAMESPACE } from './crash-stack';
import type { Disruptions } from './disruptions';
import type { Playing } from './play-orders';

const SECOND = 1_000;

export interface RequestBudgets {
  budget: BudgetReport[];
  /** Each provider's requests since the orders' clock started, in arrival order. */
  receivedBy: Partial<Record<ProviderName, RequestLogEntry[]>>;
}

/** The provider-wide budget, from what each simulator received (not from the tracker's account). */
export async function checkRequestBudgets(run: CrashRun, stack: CrashStack, playing: Playing): Promise<RequestBudgets> {
  const { requestsPerSecond } = stack;
  const budget: BudgetReport[] = [];
  const receivedBy: Partial<Record<ProviderName, RequestLogEntry[]>> = {};
  for (const provider of stack.tracked) {
    const received = (await stack.simulators.requests(provider)).filter((request) => request.at >= playing.runStart).sort((a, b) => a.at - b.at);
    receivedBy[provider] = received;
    // The evidence of the budget (and of the kills' re-poll gaps), kept with the work folder.
    writeFileSync(join(run.workDir, `requests-${provider}.json`), JSON.stringify(received));
    const times = received.map((request) => request.at);
    const entry: BudgetReport = {
      provider,
      requests: times.length,
      windowMs: BUDGET_WINDOW_MS,
      busiest: busiestWindow(times, BUDGET_WINDOW_MS),
      busiest30s: busiestWindow(times, 30 * SECOND),
      limit: (requestsPerSecond * BUDGET_WINDOW_MS) / SECOND + 1,
      smallestGapMs: smallestGap(times),
      busiestRequests: describeBusiestWindow(received, BUDGET_WINDOW_MS),
    };
    budget.push(entry);
    if (entry.busiest > entry.limit) {
      run.problem(
        `${provider} received ${entry.busiest} requests in ${BUDGET_WINDOW_MS / SECOND} s, over its budget of ${requestsPerSecond}/s (at most ${entry.limit}): ${entry.busiestRequests.join('; ')}`,
      );
    }
  }
  return { budget, receivedBy };
}

/** The caller's inspection of the live stack (the cluster test's CLI checks), and what the receiver saw amiss. */
export async function inspectStack(run: CrashRun, stack: CrashStack, orders: readonly PlannedOrder[], playing: Playing, badSignatures: number): Promise<void> {
  if (run.options.inspect !== undefined) {
    const found = await run.options.inspect({
      environment: cleanEnvironment({ TEMPORAL_ADDRESS: stack.server.address, TEMPORAL_NAMESPACE: NAMESPACE, TEMPORAL_TASK_QUEUE: stack.taskQueue, DATABASE_URL: stack.databaseUrl }),
      orders: orders.map(({ provider, orderId, expected }) => ({ provider, orderId, expected })),
    });
    for (const text of found) run.problem(text);
  }
  if (badSignatures > 0) run.problem(`${badSignatures} callback(s) had an invalid signature`);
  if (playing.cancelInFulfilment.size > 0) run.problem(`the Temporal cancel during fulfilment was never sent (${[...playing.cancelInFulfilment].join(', ')})`);
}

/** A final order tracked again returns its recorded result and starts nothing. */
export async function trackFinalOrdersAgain(run: CrashRun, stack: CrashStack, orders: readonly PlannedOrder[]): Promise<void> {
  const finals = orders.filter((order) => order.expected === 'succeeded' || order.expected === 'failed').slice(0, 3);
  const requestsBefore = stack.receiver.received.length;
  for (const order of finals) {
    const again = await retrying(`track ${order.orderId} again`, () => stack.tracker.track(order.provider, order.orderId));
    if (again.kind !== 'recorded') run.problem(`${order.orderId}: tracking a final order again started a workflow`);
  }
  await sleep(500);
  if (stack.receiver.received.length !== requestsBefore) run.problem('tracking final orders again sent callbacks');
}

export interface RunOutcome {
  orders: readonly PlannedOrder[];
  playing: Playing;
  disruptions: Disruptions;
  checked: ExactlyOnceReport;
  budgets: RequestBudgets;
  processes: CrashProcesses;
}

/** The report, and a problem for every kill, restart or blip asked for that did not happen, and every process that died on its own. */
export async function reportOf(run: CrashRun, stack: CrashStack, outcome: RunOutcome): Promise<CrashTestReport> {
  const { options, problem } = run;
  const { orders, playing, disruptions: done, checked, budgets, processes } = outcome;
  const supervisors = [...processes.workers, ...(processes.ingress ? [processes.ingress] : [])];
  const report: CrashTestReport = {
    ledger: stack.ledgerKind,
    temporal: stack.temporalKind,
    workers: stack.workerCount,
    requestsPerSecond: stack.requestsPerSecond,
    budget: budgets.budget,
    groupRecovery: (await Promise.all(done.killSnapshots)).map((snapshot) => recoveryAfterKill(snapshot, budgets.receivedBy)),
    seed: run.seed,
    providers: stack.tracked,
    orders: orders.length,
    ordersByKind: countBy(Object.keys(EXPECTED) as OrderKind[], orders.map((order) => order.kind)),
    ordersByProvider: countBy(stack.tracked, orders.map((order) => order.provider)),
    kills: done.kills,
    killsDuringFulfilment: done.killsDuringFulfilment,
    killsByTrigger: done.killsByTrigger,
    workerStarts: processes.workers.reduce((sum, supervisor) => sum + supervisor.starts, 0),
    unexpectedWorkerExits: supervisors.flatMap((supervisor) => supervisor.unexpectedExits),
    serverRestarts: done.serverRestarts,
    databaseBlips: done.databaseBlips,
    backendsTerminated: done.backendsTerminated,
    workerBackendsTerminated: done.workerBackendsTerminated,
    databaseErrorsLogged: countInWorkerLogs(run.workDir, 'ledger database connection lost'),
    temporalCancelsDuringFulfilment: playing.temporalCancelsDuringFulfilment,
    ledgerRows: checked.rows.length,
    ledgerRowsByOutcome: countBy(OUTCOMES, checked.rows.map((row) => row.outcome as (typeof OUTCOMES)[number])),
    callbacksProcessed: checked.processed.length,
    duplicateDeliveries: stack.receiver.duplicates(),
    callbackRequests: stack.receiver.received.length,
    callbacksRefusedOnce: playing.callbacksRefusedOnce,
    stepsRetried: checked.stepsRetried,
    ordersLost: checked.ordersLost,
    ordersStuck: checked.ordersStuck,
    wallTimeMs: Date.now() - run.startedAt,
    workDir: run.workDir,
    problems: run.problems,
  };
  const serverRestartsWanted = options.serverRestarts ?? 1;
  const databaseBlipsWanted = databaseBlipsOf(run, stack);
  if (report.kills < options.kills) problem(`only ${report.kills} of ${options.kills} kills happened`);
  if (report.serverRestarts < serverRestartsWanted) problem(`${stack.server.name} was restarted ${report.serverRestarts} times, not ${serverRestartsWanted}`);
  if (report.databaseBlips < databaseBlipsWanted) problem(`the ledger database blipped ${report.databaseBlips} times, not ${databaseBlipsWanted}`);
  if (databaseBlipsWanted > 0 && report.workerBackendsTerminated === 0) problem('no database blip hit a connection of the worker');
  // A process the test did not kill must not have died: least of all from the database.
  for (const exit of report.unexpectedWorkerExits) problem(`a process died on its own: ${exit}`);
  return report;
}

/**
 * Blips terminate every connection of the run's own PostgreSQL; a cluster's also serves Temporal
 * itself, so there the ledger is left alone.
 */
export function databaseBlipsOf(run: CrashRun, stack: CrashStack): number {
  return stack.postgres !== undefined ? (run.options.databaseBlips ?? 1) : 0;
}
