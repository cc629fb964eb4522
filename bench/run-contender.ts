import type { SqliteJournal } from './temporal-server';
/** One contender against the workload on a fresh sandbox: submit on schedule, one SIGKILL, figures. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MIRACLECASH_MAX_POLL_MS } from '../providers/miraclecash/miraclecash-cadence';
import { findFreePort } from '../common/temporal-servers';
import { startSandboxStack } from '../sandbox/sandbox-stack';
import type { ProviderName } from '../domain/types';
import type { Contender } from './contenders/contender';
import { detectionLags, summarize, type LagSummary } from './metrics';
import { type BenchOrder, scriptLengthMs, scriptOf } from './workload';

export interface RunOptions {
  timeScale: number;
  workDir: string;
  /** Fraction of orders fulfilled at which the worker is SIGKILLed (and restarted); none when 0. */
  killAtFraction: number;
  /** Time for the worker to start (and bundle its workflows) before the first order. */
  warmupMs: number;
  sqliteJournal?: SqliteJournal;
  log: (line: string) => void;
}

export interface ContenderResult {
  name: string;
  durable: boolean;
  orders: number;
  timeScale: number;
  wallSeconds: number;
  requests: number;
  requestsPerOrder: number;
  requestsPerOrderByProvider: Partial<Record<ProviderName, number>>;
  /**
   * The same over the orders the contender followed to the end (fulfilled): a plain loop forgets the
   * orders in flight at the kill and asks no more about them, which lowers its figure above.
   */
  requestsPerFollowedOrderByProvider?: Partial<Record<ProviderName, number>>;
  /**
   * Requests per order followed to the end, by the order's index in the workload (the same orders
   * in every contender): the report compares two contenders over the orders both followed, since a
   * plain loop follows to the end mostly the short orders that finished before the kill.
   */
  requestsOfFollowedOrders?: Partial<Record<ProviderName, Record<string, number>>>;
  /** Wall milliseconds in the scaled run. */
  lagMs: LagSummary;
  terminalLagMs: LagSummary;
  lagMsByProvider: Partial<Record<ProviderName, LagSummary>>;
  /** Status changes the tracker never learned of. */
  missedChanges: number;
  pollCyclesPerSecond: number;
  workerCpuSeconds: number;
  serverCpuSeconds: number;
  cpuSecondsPer1000Cycles: number;
  peakWorkerRssMiB: number;
  history?: { executions: number; eventsPerOrder: number; eventsPerPollCycle: number; maxRunEvents: number };
  scheduleToStartMs?: LagSummary;
  /** Push contender: arrival at the ingress → signal in history → workflow task started (first push of each status). */
  pushPathMs?: { toSignal: LagSummary; toWorkflowTask: LagSummary };
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

export async function runContender(contender: Contender, orders: readonly BenchOrder[], options: RunOptions): Promise<ContenderResult> {
  const { timeScale, log } = options;
  const workDir = join(options.workDir, contender.name);
  mkdirSync(workDir, { recursive: true });
  const ingressPort = await findFreePort();
  const sandbox = await startSandboxStack({
    timeScale,
    ozzobitWebhookUrl: contender.name === 'order-tracker-push' ? `http://127.0.0.1:${ingressPort}/webhooks/ozzobit` : undefined,
  });
  const prefix = `${contender.name.replace(/[^a-z]/g, '')}-${Date.now().toString(36)}`;
  const ids = orders.map((order) => `${prefix}-${order.key}`);
  const createdAt = new Map<string, number>();
  let submitErrors = 0;
  let killAt: number | null = null;
  try {
    await contender.start({ workDir, timeScale, sandbox, ingressPort, sqliteJournal: options.sqliteJournal, log });
    await sleep(options.warmupMs);
    contender.mark();
    const startedAt = Date.now();
    const lastEnd = Math.max(...orders.map((order) => order.startOffsetMs + scriptLengthMs(order))) / timeScale;
    const submissions: Promise<void>[] = [];
    let next = 0;
    const schedule = async () => {
      while (next < orders.length) {
        const order = orders[next] as BenchOrder;
        const dueAt = startedAt + order.startOffsetMs / timeScale;
        if (Date.now() < dueAt) {
          await sleep(Math.min(50, dueAt - Date.now()));
          continue;
        }
        const orderId = ids[next] as string;
        sandbox[order.provider].addOrder(scriptOf(order, orderId) as never);
        createdAt.set(orderId, Date.now());
        submissions.push(contender.submit(order, orderId).catch(() => void (submitErrors += 1)));
        next += 1;
      }
    };
    const scheduled = schedule();
    // Everything should be over by the last script's end; give slack for a saturated contender.
    // A durable contender that fell behind may still finish: it gets longer before the cut-off.
    const deadline = startedAt + lastEnd + Math.max(contender.durable ? 120_000 : 30_000, lastEnd * (contender.durable ? 2 : 0.5));
    let lastProgress = Date.now();
    let lastCount = -1;
    for (;;) {
      await sleep(500);
      const fulfilled = await contender.fulfilledCount();
      if (fulfilled !== lastCount) {
        lastCount = fulfilled;
        lastProgress = Date.now();
      }
      if (killAt === null && options.killAtFraction > 0 && fulfilled >= orders.length * options.killAtFraction) {
        killAt = Date.now();
        log(`  ${contender.name}: SIGKILL of the worker at ${((killAt - startedAt) / 1000).toFixed(1)} s (${fulfilled} fulfilled)`);
        await contender.killWorker();
      }
      if (fulfilled >= orders.length && next >= orders.length) break;
      // A plain loop that forgot its orders at the kill never finishes them: stop soon after the scripts end.
      // A durable contender may be between two polls of an old MiracleCash payment (its longest cadence).
      const quietMs = contender.durable ? Math.max(20_000, MIRACLECASH_MAX_POLL_MS / options.timeScale + 10_000) : 5_000;
      const overdue = Date.now() > startedAt + lastEnd + (contender.durable ? 10_000 : 2_000) && Date.now() - lastProgress > quietMs;
      if (Date.now() > deadline || overdue) {
        log(`  ${contender.name}: stopped waiting with ${fulfilled}/${orders.length} fulfilled`);
        break;
      }
    }
    await scheduled;
    await Promise.all(submissions);
    const finishedAt = Date.now();
    const usage = contender.usage();
    const stillRunning = (await contender.runningCount?.().catch(() => 0)) ?? 0;
    const collected = await contender.collect(ids);

    const requestsByProvider: Partial<Record<ProviderName, number>> = {};
    const ordersByProvider: Partial<Record<ProviderName, number>> = {};
    const idSet = new Set(ids);
    let requests = 0;
    for (const provider of ['magma', 'miraclecash', 'ozzobit', 'houdini'] as const) {
      const count = sandbox[provider].requests().filter((entry) => entry.orderId !== undefined && idSet.has(entry.orderId)).length;
      requests += count;
      requestsByProvider[provider] = count;
    }
    for (const order of orders) ordersByProvider[order.provider] = (ordersByProvider[order.provider] ?? 0) + 1;
    const followed = new Set(ids.filter((orderId) => (collected.fulfilments.get(orderId) ?? 0) > 0));
    const requestsPerFollowedOrderByProvider: Partial<Record<ProviderName, number>> = {};
    const requestsOfFollowedOrders: Partial<Record<ProviderName, Record<string, number>>> = {};
    for (const provider of ['magma', 'miraclecash', 'ozzobit', 'houdini'] as const) {
      const indexOf = new Map<string, number>();
      ids.forEach((orderId, index) => {
        if (orders[index]?.provider === provider && followed.has(orderId)) indexOf.set(orderId, index);
      });
      if (indexOf.size === 0) continue;
      const perOrder: Record<string, number> = Object.fromEntries([...indexOf.values()].map((index) => [String(index), 0]));
      for (const entry of sandbox[provider].requests()) {
        const index = entry.orderId === undefined ? undefined : indexOf.get(entry.orderId);
        if (index !== undefined) perOrder[String(index)] = (perOrder[String(index)] ?? 0) + 1;
      }
      requestsOfFollowedOrders[provider] = perOrder;
      requestsPerFollowedOrderByProvider[provider] = Object.values(perOrder).reduce((sum, count) => sum + count, 0) / indexOf.size;
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
      const created = createdAt.get(orderId);
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
      const terminal = order.steps[order.steps.length - 1]?.status.toLowerCase();
      if (fulfilments > 0 && !seen.some((entry) => entry.status.toLowerCase() === terminal)) wrongOutcome += 1;
    });
    const activeSeconds = Math.max(1, (finishedAt - startedAt) / 1000);
    const cpu = usage.workerCpuSeconds + usage.serverCpuSeconds;
    const result: ContenderResult = {
      name: contender.name,
      durable: contender.durable,
      orders: orders.length,
      timeScale,
      wallSeconds: Math.round(activeSeconds * 10) / 10,
      requests,
      requestsPerOrder: requests / orders.length,
      requestsPerOrderByProvider: Object.fromEntries(
        Object.entries(requestsByProvider).map(([provider, count]) => [provider, count / (ordersByProvider[provider as ProviderName] ?? 1)]),
      ),
      requestsPerFollowedOrderByProvider,
      requestsOfFollowedOrders,
      lagMs: summarize(lags),
      recoveryLagMs: summarize(recoveryLags),
      allLagMs: summarize(allLags),
      terminalLagMs: summarize(terminalLags),
      lagMsByProvider: Object.fromEntries(Object.entries(lagsByProvider).map(([provider, values]) => [provider, summarize(values)])),
      missedChanges: missed,
      pollCyclesPerSecond: requests / activeSeconds,
      workerCpuSeconds: usage.workerCpuSeconds,
      serverCpuSeconds: usage.serverCpuSeconds,
      cpuSecondsPer1000Cycles: requests === 0 ? Number.NaN : (cpu / requests) * 1000,
      peakWorkerRssMiB: usage.peakWorkerRssBytes / 1024 / 1024,
      history: collected.history && {
        executions: collected.history.executions,
        eventsPerOrder: collected.history.events / orders.length,
        eventsPerPollCycle: requests === 0 ? Number.NaN : collected.history.events / requests,
        maxRunEvents: collected.history.maxRunEvents,
      },
      scheduleToStartMs: collected.scheduleToStartMs && summarize(collected.scheduleToStartMs),
      pushPathMs: collected.pushPath && { toSignal: summarize(collected.pushPath.toSignalMs), toWorkflowTask: summarize(collected.pushPath.toWorkflowTaskMs) },
      kill: { atSeconds: killAt === null ? null : (killAt - startedAt) / 1000, lost: Math.max(0, lost - stillRunning), unfinished: Math.min(lost, stillRunning), doubled, wrongOutcome },
      submitErrors,
    };
    return result;
  } finally {
    await contender.stop().catch((error: unknown) => log(`  ${contender.name}: stop failed: ${String(error)}`));
    await sandbox.close();
  }
}
