/**
 * The scaling curve: N orders in flight at once (realistic mix, all created within the arrival
 * window), measured over a fixed window: poll cycles/s, CPU, detection lag and poll
 * schedule-to-start latency. Large points run at a lower time scale (slower cadences).
 */
import type { SqliteJournal } from './temporal-server';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSandboxStack } from '../sandbox/sandbox-stack';
import { createContender } from './contenders';
import type { ContenderName, ExistingServer } from './contenders/contender';
import { summarize, type LagSummary } from './metrics';
import { buildWorkload, scriptOf } from './workload';

export interface ScalingPoint {
  contender: ContenderName;
  inFlight: number;
  timeScale: number;
  measuredSeconds: number;
  pollCyclesPerSecond: number;
  workerCpuSeconds: number;
  serverCpuSeconds: number;
  /** Share of one core used by worker + server over the window. */
  coresUsed: number;
  cpuSecondsPer1000Cycles: number;
  peakWorkerRssMiB: number;
  lagMs: LagSummary;
  /** Changes that happened in the window but were not known by its end. */
  missedChanges: number;
  scheduleToStartMs: LagSummary;
  /** Orders started per second by the client (the server's start path). */
  startsPerSecond: number;
  /** Set when the point was read from an earlier run's results.json (`--scaling-from`). */
  reusedFrom?: string;
}

export interface ScalingOptions {
  sizes: number[];
  contenders: ContenderName[];
  arrivalSeconds: number;
  measureSeconds: number;
  workDir: string;
  /** Run every point against this server instead of a fresh dev server per point. */
  existingServer?: ExistingServer;
  sqliteJournal?: SqliteJournal;
  log: (line: string) => void;
}

/** Slower cadences for the largest point, so it is the server, not the workload, that is tested. */
export function scalingTimeScale(inFlight: number): number {
  return inFlight >= 5_000 ? 12 : 120;
}

export async function runScaling(options: ScalingOptions): Promise<ScalingPoint[]> {
  const points: ScalingPoint[] = [];
  for (const size of options.sizes) {
    for (const name of options.contenders) {
      options.log(`scaling: ${name} with ${size} in flight ...`);
      points.push(await runPoint(name, size, options));
      const point = points[points.length - 1] as ScalingPoint;
      options.log(
        `  ${point.pollCyclesPerSecond.toFixed(1)} cycles/s, ${point.coresUsed.toFixed(2)} cores, lag p95 ${point.lagMs.p95.toFixed(0)} ms, ` +
          `schedule-to-start p95 ${point.scheduleToStartMs.p95.toFixed(0)} ms, RSS ${point.peakWorkerRssMiB.toFixed(0)} MiB`,
      );
    }
  }
  return points;
}

async function runPoint(name: ContenderName, size: number, options: ScalingOptions): Promise<ScalingPoint> {
  const timeScale = scalingTimeScale(size);
  const workDir = join(options.workDir, `scaling-${name}-${size}`);
  mkdirSync(workDir, { recursive: true });
  const orders = buildWorkload({
    orders: size,
    providers: ['magma', 'miraclecash', 'ozzobit', 'houdini'],
    arrivalWindowMs: options.arrivalSeconds * 1000 * timeScale,
    seed: 11,
  });
  const sandbox = await startSandboxStack({ timeScale });
  const contender = createContender(name);
  const prefix = `s${size}-${Date.now().toString(36)}`;
  const ids = orders.map((order) => `${prefix}-${order.key}`);
  const createdAt = new Map<string, number>();
  try {
    await contender.start({ workDir, timeScale, sandbox, existingServer: options.existingServer, sqliteJournal: options.sqliteJournal, log: options.log });
    await sleep(6_000);
    const startedAt = Date.now();
    const pending: Promise<void>[] = [];
    let inFlightStarts = 0;
    for (let index = 0; index < orders.length; index += 1) {
      const order = orders[index]!;
      const dueAt = startedAt + order.startOffsetMs / timeScale;
      if (Date.now() < dueAt) await sleep(dueAt - Date.now());
      const orderId = ids[index]!;
      sandbox[order.provider].addOrder(scriptOf(order, orderId) as never);
      createdAt.set(orderId, Date.now());
      // Bounded concurrency: the client must not queue thousands of starts in memory.
      const start = contender.submit(order, orderId).catch(() => undefined).finally(() => (inFlightStarts -= 1));
      inFlightStarts += 1;
      pending.push(start);
      while (inFlightStarts >= 200) await sleep(5);
    }
    await Promise.all(pending);
    const startsPerSecond = size / Math.max(0.001, (Date.now() - startedAt) / 1000);
    // The window opens once every order is started.
    contender.mark();
    const windowStart = Date.now();
    await sleep(options.measureSeconds * 1000);
    const windowEnd = Date.now();
    const usage = contender.usage();
    const idSet = new Set(ids);
    let requests = 0;
    for (const provider of ['magma', 'miraclecash', 'ozzobit', 'houdini'] as const) {
      requests += sandbox[provider]
        .requests()
        .filter((entry) => entry.orderId !== undefined && idSet.has(entry.orderId) && entry.at >= windowStart && entry.at < windowEnd).length;
    }
    const collected = await contender.collect(ids);
    // Lag from the request log: a poll that answered a change is when the tracker learned of it
    // (the ledger only has finished orders, and most are still in flight here).
    const requestTimes = new Map<string, number[]>();
    for (const provider of ['magma', 'miraclecash', 'ozzobit', 'houdini'] as const) {
      for (const entry of sandbox[provider].requests()) {
        if (entry.orderId === undefined || !idSet.has(entry.orderId) || entry.httpStatus !== 200) continue;
        const list = requestTimes.get(entry.orderId) ?? [];
        list.push(entry.at);
        requestTimes.set(entry.orderId, list);
      }
    }
    const lags: number[] = [];
    let missed = 0;
    orders.forEach((order, index) => {
      const orderId = ids[index]!;
      const created = createdAt.get(orderId);
      if (created === undefined) return;
      const times = requestTimes.get(orderId) ?? [];
      let changeAt = created;
      for (const step of order.steps.slice(0, -1)) {
        changeAt += (step.durationMs ?? 0) / timeScale;
        // Changes inside the window, with 5 s left to notice them.
        if (changeAt < windowStart || changeAt >= windowEnd - 5_000) continue;
        const known = times.find((time) => time >= changeAt && time <= windowEnd);
        if (known === undefined) missed += 1;
        else lags.push(known - changeAt);
      }
    });
    const seconds = (windowEnd - windowStart) / 1000;
    const cpu = usage.workerCpuSeconds + usage.serverCpuSeconds;
    return {
      contender: name,
      inFlight: size,
      timeScale,
      measuredSeconds: seconds,
      pollCyclesPerSecond: requests / seconds,
      workerCpuSeconds: usage.workerCpuSeconds,
      serverCpuSeconds: usage.serverCpuSeconds,
      coresUsed: cpu / seconds,
      cpuSecondsPer1000Cycles: requests === 0 ? Number.NaN : (cpu / requests) * 1000,
      peakWorkerRssMiB: usage.peakWorkerRssBytes / 1024 / 1024,
      lagMs: summarize(lags),
      missedChanges: missed,
      scheduleToStartMs: summarize(collected.scheduleToStartMs ?? []),
      startsPerSecond,
    };
  } finally {
    await contender.stop().catch(() => undefined);
    await sandbox.close();
  }
}
