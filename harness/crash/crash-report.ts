/**
 * What a crash run found: its counts and problems (CrashTestReport), and the lines the command
 * prints. `problems` empty means exactly-once held everywhere.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Outcome, ProviderName } from '../../domain/types';
import { type KillRecovery, formatRecovery } from '../checks/group-recovery';
import type { OrderKind } from '../workload/planned-orders';

const SECOND = 1_000;
export const OUTCOMES: readonly Outcome[] = ['succeeded', 'failed', 'timed_out', 'tracking_cancelled'];

/** The busiest window of a provider's request log against its budget. */
export interface BudgetReport {
  provider: ProviderName;
  /** Requests the provider's API received from the run's processes while it ran. */
  requests: number;
  windowMs: number;
  /** The most requests in any window of `windowMs` (each window starting at a request). */
  busiest: number;
  /** requestsPerSecond × window + 1: the budget's share of the window, plus the request at its edge. */
  limit: number;
  /** The same over 30 s, where one request of jitter weighs less (reported, not checked). */
  busiest30s: number;
  /** The smallest gap between two requests (ms): 1/budget, less the jitter between a slot and its request. */
  smallestGapMs: number;
  /** The busiest window's requests (offset, operation, order or list page, HTTP status). */
  busiestRequests: string[];
}

/** The window the request budget is checked over. */
export const BUDGET_WINDOW_MS = 5 * SECOND;

export interface CrashTestReport {
  ledger: 'sqlite' | 'postgres';
  temporal: 'dev' | 'cluster';
  workers: number;
  requestsPerSecond: number;
  budget: BudgetReport[];
  /** Per kill: the poll groups the killed worker ran, and how long their members went unasked. */
  groupRecovery: KillRecovery[];
  seed: number;
  providers: ProviderName[];
  orders: number;
  ordersByKind: Record<OrderKind, number>;
  ordersByProvider: Partial<Record<ProviderName, number>>;
  kills: number;
  killsDuringFulfilment: number;
  killsByTrigger: Record<string, number>;
  workerStarts: number;
  /** Worker processes that ended without being killed by the test (restarted all the same). */
  unexpectedWorkerExits: string[];
  serverRestarts: number;
  /** Times every ledger connection was terminated, and how many connections that ended in all. */
  databaseBlips: number;
  backendsTerminated: number;
  workerBackendsTerminated: number;
  /** Worker logs' "ledger database connection lost" lines: the blips the workers heard and survived. */
  databaseErrorsLogged: number;
  temporalCancelsDuringFulfilment: number;
  ledgerRows: number;
  ledgerRowsByOutcome: Record<Outcome, number>;
  callbacksProcessed: number;
  duplicateDeliveries: number;
  callbackRequests: number;
  /** 503 answers to first deliveries (flaky receiver), each followed by a retry. */
  callbacksRefusedOnce: number;
  /** Activity attempts after the first, by type, over all orders' histories (kills, timeouts, the 503s). */
  stepsRetried: Record<string, number>;
  ordersLost: number;
  ordersStuck: number;
  wallTimeMs: number;
  workDir: string;
  /** Empty when exactly-once held everywhere; otherwise what broke, order by order. */
  problems: string[];
}

/** How many lines of all worker logs in the work folder contain `text`. */
export function countInWorkerLogs(workDir: string, text: string): number {
  return readdirSync(workDir)
    .filter((name) => /^worker-\d+\.log$/.test(name))
    .reduce((count, name) => count + readFileSync(join(workDir, name), 'utf8').split('\n').filter((line) => line.includes(text)).length, 0);
}

export function countBy<K extends string>(keys: readonly K[], values: readonly K[]): Record<K, number> {
  const counts = Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/** The counts, one per line, as the script prints them. */
export function formatReport(report: CrashTestReport): string {
  const seconds = (report.wallTimeMs / SECOND).toFixed(1);
  const kinds = Object.entries(report.ordersByKind).map(([kind, count]) => `${kind} ${count}`).join(', ');
  const perProvider = Object.entries(report.ordersByProvider).map(([provider, count]) => `${provider} ${count}`).join(', ');
  const outcomes = Object.entries(report.ledgerRowsByOutcome).map(([outcome, count]) => `${outcome} ${count}`).join(', ');
  const triggers = Object.entries(report.killsByTrigger).map(([trigger, count]) => `${trigger} ${count}`).join(', ');
  return [
    `crash test (${report.temporal === 'cluster' ? 'Temporal cluster' : 'dev server'}, ${report.workers} worker process(es), ${report.ledger} ledger, seed ${report.seed}): ${report.problems.length === 0 ? 'PASSED' : 'FAILED'}`,
    `  orders:                 ${report.orders} (${perProvider}; ${kinds})`,
    `  worker kills (SIGKILL): ${report.kills}, ${report.killsDuringFulfilment} during fulfilment (${triggers})`,
    `  worker starts:          ${report.workerStarts}${report.unexpectedWorkerExits.length > 0 ? `, unexpected exits ${report.unexpectedWorkerExits.length}` : ''}`,
    `  server restarts:        ${report.serverRestarts}`,
    `  database blips:         ${report.databaseBlips} (${report.backendsTerminated} connections terminated, ${report.workerBackendsTerminated} of them the worker's; workers logged ${report.databaseErrorsLogged} lost connections and lived on)`,
    `  Temporal cancels sent during fulfilment: ${report.temporalCancelsDuringFulfilment}`,
    `  ledger rows:            ${report.ledgerRows} (${outcomes})`,
    `  callbacks processed:    ${report.callbacksProcessed} (requests ${report.callbackRequests}, refused once on purpose ${report.callbacksRefusedOnce})`,
    `  duplicate deliveries:   ${report.duplicateDeliveries} (deduped by Idempotency-Key)`,
    `  attempts after the 1st: ${Object.entries(report.stepsRetried).map(([step, count]) => `${step} ${count}`).join(', ')} (each fulfilment step scheduled once per order)`,
    `  orders lost / stuck:    ${report.ordersLost} / ${report.ordersStuck}`,
    `  request budget:         ${report.requestsPerSecond}/s per provider; busiest ${BUDGET_WINDOW_MS / SECOND} s window (at most ${(report.requestsPerSecond * BUDGET_WINDOW_MS) / SECOND + 1}): ${report.budget.map((entry) => `${entry.provider} ${entry.busiest} of ${entry.requests} requests`).join(', ')}; busiest 30 s window (at most budget × 30 + 1 = ${report.requestsPerSecond * 30 + 1}): ${report.budget.map((entry) => `${entry.provider} ${entry.busiest30s}`).join(', ')}; smallest gap between two requests: ${report.budget.map((entry) => `${entry.provider} ${(entry.smallestGapMs / SECOND).toFixed(3)} s`).join(', ')}`,
    ...formatRecovery(report.groupRecovery).map((line) => `  poll groups after ${line}`),
    `  wall time:              ${seconds} s`,
    ...report.unexpectedWorkerExits.map((exit) => `  note: ${exit}`),
    ...report.problems.map((text) => `  PROBLEM: ${text}`),
    ...(report.problems.length > 0 ? [`  evidence: ${report.workDir}`] : []),
  ].join('\n');
}