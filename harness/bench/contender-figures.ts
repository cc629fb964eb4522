/** A contender's figures after its run: requests, lag, kill outcome, CPU, history, actions, push path. */
import type { ProviderName } from '../../domain/types';
import type { RequestLogEntry } from '../../sandbox/request-log';
import { type ActionSummary, summarizeActions } from './action-summary';
import type { Collected, Usage } from './contenders/contender';
import { detectionLags, summarize, type LagSummary } from './metrics';
import { BENCH_PROVIDERS, accountRequests, type OrderSpan } from './requests';
import type { BenchOrder } from '../workload/corpus';

export interface ContenderResult {
  name: string;
  durable: boolean;
  orders: number;
  timeScale: number;
  wallSeconds: number;
  /** Every request: the orders' own and the list pages. */
  requests: number;
  requestsPerOrder: number;
  requestsPerOrderByProvider: Partial<Record<ProviderName, number>>;
  /** List pages (in `requests`), and per-order requests plus the pages' looks at orders in flight (requests.ts). */
  listPages?: number;
  listPagesByProvider?: Partial<Record<ProviderName, number>>;
  polls?: number;
  /**
   * The same over the orders the contender followed to the end (fulfilled): a plain loop forgets the
   * orders in flight at the kill and asks no more about them, which lowers its figure above.
   */
  requestsPerFollowedOrderByProvider?: Partial<Record<ProviderName, number>>;
  /**
   * Requests per order followed to the end, by the order's index in the workload (the same orders
   * in every contender): the report compares two contenders over the orders both followed, since a
   * plain loop follows to the end mostly the short orders that finished before the kill. A list
   * page counts as a share for each order in flight when it was asked.
   */
  requestsOfFollowedOrders?: Partial<Record<ProviderName, Record<string, number>>>;
  /**
   * Requests per order per minute it was followed (wall): created until the tracker knew it final,
   * or forgot it at the kill (a plain loop), or the run ended. Comparable whatever the kill took.
   */
  requestRateByProvider?: Partial<Record<ProviderName, number>>;
  /** Wall milliseconds in the scaled run. */
  lagMs: LagSummary;
  terminalLagMs: LagSummary;
  lagMsByProvider: Partial<Record<ProviderName, LagSummary>>;
  /** Status changes the tracker never learned of. */
  missedChanges: number;
  pollCyclesPerSecond: number;
  workerCpuSeconds: number;
  serverCpuSeconds: number;
  /** Per 1,000 requests (older runs: the only figure); per 1,000 polls below. */
  cpuSecondsPer1000Cycles: number;
  cpuSecondsPer1000Polls?: number;
  peakWorkerRssMiB: number;
  history?: { executions: number; eventsPerOrder: number; eventsPerPollCycle: number; maxRunEvents: number };
  scheduleToStartMs?: LagSummary;
  /** Push contender: arrival at the ingress → signal in history → workflow task started (first push of each status). */
  pushPathMs?: { toSignal: LagSummary; toWorkflowTask: LagSummary };
  /** Push contender: a pushed final status → its outcome recorded; `quiet`: no request for the order in the floor before the push. */
  pushToOutcomeMs?: { all: LagSummary; quiet: LagSummary; floorMs: number };
  /** Temporal actions per order (order-tracker's variants). */
  actions?: ActionSummary;
  /** Lag of the changes in the KILL_RECOVERY_WINDOW_MS after the SIGKILL (left out of lagMs), and of all changes. */
  recoveryLagMs?: LagSummary;
  allLagMs?: LagSummary;
  /** lost: never fulfilled and no longer followed; unfinished: still followed when the run was cut off. */
  kill: { atSeconds: number | null; lost: number; unfinished: number; doubled: number; wrongOutcome: number };
  submitErrors: number;
}

/**
 * Changes still unknown at the SIGKILL that happened before this window after it ends pay the crash's cost, not the cadence's: a
 * durable contender's restarted worker needs a few seconds to start, and each Temporal workflow whose
 * next task went to the dead worker's sticky queue waits for the SDK's 10 s sticky schedule-to-start
 * timeout. Fixed wall time, so the time scale would multiply it: lag is reported apart for them.
 */
export const KILL_RECOVERY_WINDOW_MS = 20_000;

export interface RunRecord {
  name: string;
  durable: boolean;
  timeScale: number;
  /** The scaled 5 s floor (wall ms): what "no request before the push" means for the push figure. */
  floorMs: number;
  orders: readonly BenchOrder[];
  ids: readonly string[];
  createdAt: ReadonlyMap<string, number>;
  startedAt: number;
  finishedAt: number;
  killAt: number | null;
  stillRunning: number;
  submitErrors: number;
  usage: Usage;
  collected: Collected;
  logs: Partial<Record<ProviderName, readonly RequestLogEntry[]>>;
}

export function contenderFigures(run: RunRecord): ContenderResult {
  const { orders, ids, collected, killAt, usage, timeScale } = run;
  const terminalOf = (order: BenchOrder) => order.steps[order.steps.length - 1]?.status.toLowerCase();
  const spans: OrderSpan[] = orders.map((order, index) => {
    const orderId = ids[index] as string;
    const final = (collected.seen.get(orderId) ?? []).find((entry) => entry.status.toLowerCase() === terminalOf(order));
    return { createdAt: run.createdAt.get(orderId), finalAt: final?.at };
  });
  const account = accountRequests(run.logs, orders, ids, spans);
  const followed = new Set(ids.filter((orderId) => (collected.fulfilments.get(orderId) ?? 0) > 0));
  const requestsPerOrderByProvider: Partial<Record<ProviderName, number>> = {};
  const requestsPerFollowedOrderByProvider: Partial<Record<ProviderName, number>> = {};
  const requestsOfFollowedOrders: Partial<Record<ProviderName, Record<string, number>>> = {};
  const requestRateByProvider: Partial<Record<ProviderName, number>> = {};
  const followedUntil = (index: number) => {
    const span = spans[index];
    if (span?.createdAt === undefined) return 0;
    const forgotten = !run.durable && killAt !== null && span.finalAt === undefined;
    return Math.max(0, (span.finalAt ?? (forgotten ? (killAt as number) : run.finishedAt)) - span.createdAt);
  };
  for (const provider of BENCH_PROVIDERS) {
    const indexes = orders.flatMap((order, index) => (order.provider === provider ? [index] : []));
    if (indexes.length === 0) continue;
    requestsPerOrderByProvider[provider] = (account.byProvider[provider]?.requests ?? 0) / indexes.length;
    const minutes = indexes.reduce((sum, index) => sum + followedUntil(index), 0) / 60_000;
    if (minutes > 0) requestRateByProvider[provider] = (account.byProvider[provider]?.requests ?? 0) / minutes;
    const kept = indexes.filter((index) => followed.has(ids[index] as string));
    if (kept.length === 0) continue;
    requestsOfFollowedOrders[provider] = Object.fromEntries(kept.map((index) => [String(index), account.perOrder[index] ?? 0]));
    requestsPerFollowedOrderByProvider[provider] = kept.reduce((sum, index) => sum + (account.perOrder[index] ?? 0), 0) / kept.length;
  }

  const lags: number[] = [];
  const recoveryLags: number[] = [];
  const allLags: number[] = [];
  // Hit by the kill: still unknown when the worker died, and happened before the window's end.
  const hitByKill = (at: number, knownAt: number) => killAt !== null && knownAt > killAt && at < killAt + KILL_RECOVERY_WINDOW_MS;
  const lagsByProvider: Partial<Record<ProviderName, number[]>> = {};
  const terminalLags: number[] = [];
  let missed = 0;
  let lost = 0;
  let doubled = 0;
  let wrongOutcome = 0;
  orders.forEach((order, index) => {
    const orderId = ids[index] as string;
    const created = run.createdAt.get(orderId);
    const fulfilments = collected.fulfilments.get(orderId) ?? 0;
    if (fulfilments === 0) lost += 1;
    if (fulfilments > 1) doubled += 1;
    if (created === undefined) return;
    const result = detectionLags(order, created, timeScale, collected.seen.get(orderId) ?? []);
    allLags.push(...result.lags);
    for (const change of result.changes) {
      if (change.knownAt === undefined) continue;
      const lag = Math.max(0, change.knownAt - change.at);
      if (hitByKill(change.at, change.knownAt)) {
        recoveryLags.push(lag);
        continue;
      }
      lags.push(lag);
      (lagsByProvider[order.provider] ??= []).push(lag);
    }
    if (result.terminalLag !== undefined) terminalLags.push(result.terminalLag);
    missed += result.missed;
    const seen = collected.seen.get(orderId) ?? [];
    if (fulfilments > 0 && !seen.some((entry) => entry.status.toLowerCase() === terminalOf(order))) wrongOutcome += 1;
  });
  const activeSeconds = Math.max(1, (run.finishedAt - run.startedAt) / 1000);
  const cpu = usage.workerCpuSeconds + usage.serverCpuSeconds;
  const { requests, polls } = account;
  const pushed = collected.pushOutcomes;
  return {
    name: run.name,
    durable: run.durable,
    orders: orders.length,
    timeScale,
    wallSeconds: Math.round(activeSeconds * 10) / 10,
    requests,
    requestsPerOrder: requests / orders.length,
    requestsPerOrderByProvider,
    listPages: account.listPages,
    listPagesByProvider: Object.fromEntries(Object.entries(account.byProvider).map(([provider, figures]) => [provider, figures.pages])),
    polls,
    requestsPerFollowedOrderByProvider,
    requestsOfFollowedOrders,
    requestRateByProvider,
    lagMs: summarize(lags),
    recoveryLagMs: summarize(recoveryLags),
    allLagMs: summarize(allLags),
    terminalLagMs: summarize(terminalLags),
    lagMsByProvider: Object.fromEntries(Object.entries(lagsByProvider).map(([provider, values]) => [provider, summarize(values)])),
    missedChanges: missed,
    pollCyclesPerSecond: polls / activeSeconds,
    workerCpuSeconds: usage.workerCpuSeconds,
    serverCpuSeconds: usage.serverCpuSeconds,
    cpuSecondsPer1000Cycles: requests === 0 ? Number.NaN : (cpu / requests) * 1000,
    cpuSecondsPer1000Polls: polls === 0 ? Number.NaN : (cpu / polls) * 1000,
    peakWorkerRssMiB: usage.peakWorkerRssBytes / 1024 / 1024,
    history: collected.history && {
      executions: collected.history.executions,
      eventsPerOrder: collected.history.events / orders.length,
      eventsPerPollCycle: polls === 0 ? Number.NaN : collected.history.events / polls,
      maxRunEvents: collected.history.maxRunEvents,
    },
    scheduleToStartMs: collected.scheduleToStartMs && summarize(collected.scheduleToStartMs),
    pushPathMs: collected.pushPath && { toSignal: summarize(collected.pushPath.toSignalMs), toWorkflowTask: summarize(collected.pushPath.toWorkflowTaskMs) },
    pushToOutcomeMs: pushed && {
      all: summarize(pushed.map((entry) => entry.pushToRecordedMs)),
      // Pushes the kill hit (recorded after it, arrived before its recovery window's end) pay for the crash.
      quiet: summarize(
        pushed
          .filter((entry) => !hitByKill(entry.receivedAt, entry.receivedAt + entry.pushToRecordedMs))
          .filter((entry) => entry.lastRequestBeforeMs === null || entry.lastRequestBeforeMs >= run.floorMs)
          .map((entry) => entry.pushToRecordedMs),
      ),
      floorMs: run.floorMs,
    },
    actions: collected.actions && summarizeActions(collected.actions, orders, ids),
    kill: {
      atSeconds: killAt === null ? null : (killAt - run.startedAt) / 1000,
      lost: Math.max(0, lost - run.stillRunning),
      unfinished: Math.min(lost, run.stillRunning),
      doubled,
      wrongOutcome,
    },
    submitErrors: run.submitErrors,
  };
}
