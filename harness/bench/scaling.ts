/**
 * The scaling curve: N orders in flight at once, sustained (every order stays in flight through the
 * window, which opens once each has been polled), measured over a fixed window: poll cycles/s, CPU,
 * the lag of status changes made during the window, and poll schedule-to-start latency. The time
 * scale shrinks every cadence so the orders ask for more polls than the server gives: the cycles/s
 * are its ceiling. Large points run at a lower time scale (slower cadences).
 */
import type { SqliteJournal } from './temporal-server';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSandboxStack } from '../../sandbox/sandbox-stack';
import { createContender } from './contenders';
import type { ContenderName, ExistingServer } from './contenders/contender';
import { summarize, type LagSummary } from './metrics';
import { isListPage } from './requests';
import type { RequestLogEntry } from '../../sandbox/request-log';
import { buildSustainedWorkload, scriptOf, sustainedChange } from '../workload/corpus';
import { random } from '../workload/random';

export interface ScalingPoint {
  contender: ContenderName;
  inFlight: number;
  timeScale: number;
  measuredSeconds: number;
  /** Polls per second: per-order requests plus list pages' looks at the point's orders (requests.ts). */
  pollCyclesPerSecond: number;
  /** Requests per second (per-order requests and list pages); absent in runs before list pages were counted. */
  requestsPerSecond?: number;
  listPagesPerSecond?: number;
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
  /** Every point at this time scale (`--scaling-time-scale`): the cost of a cycle at a chosen rate. */
  timeScale?: number;
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

const PROVIDERS = ['magma', 'miraclecash', 'ozzobit', 'houdini'] as const;
/** A change needs a few seconds of the window left to be seen in it. */
const CHANGE_MARGIN_MS = 5_000;

async function runPoint(name: ContenderName, size: number, options: ScalingOptions): Promise<ScalingPoint> {
  const timeScale = options.timeScale ?? scalingTimeScale(size);
  const workDir = join(options.workDir, `scaling-${name}-${size}`);
  mkdirSync(workDir, { recursive: true });
  // Long enough that no scripted status ends during the point: every order stays in flight.
  const settleLimitSeconds = Math.max(60, size / 20);
  const holdMs = 10 * (options.arrivalSeconds + settleLimitSeconds + options.measureSeconds + 600) * 1000 * timeScale;
  const orders = buildSustainedWorkload({ orders: size, providers: PROVIDERS, holdMs, arrivalWindowMs: options.arrivalSeconds * 1000 * timeScale, seed: 11 });
  const sandbox = await startSandboxStack({ timeScale });
  const contender = createContender(name);
  const prefix = `s${size}-${Date.now().toString(36)}`;
  const ids = orders.map((order) => `${prefix}-${order.key}`);
  const idSet = new Set(ids);
  /** This point's requests (its orders' and list pages), answered or not, oldest first per provider. */
  const requests = () => PROVIDERS.flatMap((provider) => sandbox[provider].requests().filter((entry) => (entry.orderId !== undefined ? idSet.has(entry.orderId) : isListPage(entry))));
  /** The point's orders a request asked about or a list page showed. */
  const looked = (entry: RequestLogEntry): string[] => (entry.orderId !== undefined ? [entry.orderId] : (entry.listed ?? []).filter((orderId) => idSet.has(orderId)));
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
      sandbox[order.provider].addOrder(scriptOf(order, ids[index]!) as never);
      // Bounded concurrency: the client must not queue thousands of starts in memory.
      const start = contender.submit(order, ids[index]!).catch(() => undefined).finally(() => (inFlightStarts -= 1));
      inFlightStarts += 1;
      pending.push(start);
      while (inFlightStarts >= 200) await sleep(5);
    }
    await Promise.all(pending);
    const startsPerSecond = size / Math.max(0.001, (Date.now() - startedAt) / 1000);
    // The window opens once every order has been polled (or the settle limit passed): from then on
    // the point measures the steady state of `size` orders in flight, not the start burst.
    const settleDeadline = Date.now() + settleLimitSeconds * 1000;
    let polledOnce = 0;
    for (;;) {
      polledOnce = new Set(requests().flatMap(looked)).size;
      if (polledOnce >= size || Date.now() > settleDeadline) break;
      await sleep(1_000);
    }
    if (polledOnce < size) options.log(`  only ${polledOnce} of ${size} orders polled within ${settleLimitSeconds} s of the last start; measuring anyway`);
    contender.mark();
    const windowStart = Date.now();
    const windowMs = options.measureSeconds * 1000;
    // Moves orders to their next status at moments spread over the window (the same for every contender).
    const rand = random(size);
    const changes = orders
      .map((order, index) => ({ order, orderId: ids[index]!, at: windowStart + rand() * Math.max(0, windowMs - CHANGE_MARGIN_MS) }))
      .filter((change) => sustainedChange(change.order, change.orderId, holdMs) !== undefined)
      .sort((first, second) => first.at - second.at);
    const changedAt = new Map<string, number>();
    for (const change of changes) {
      if (Date.now() < change.at) await sleep(change.at - Date.now());
      sandbox[change.order.provider].addOrder(sustainedChange(change.order, change.orderId, holdMs) as never);
      changedAt.set(change.orderId, Date.now());
    }
    if (Date.now() < windowStart + windowMs) await sleep(windowStart + windowMs - Date.now());
    const windowEnd = Date.now();
    const usage = contender.usage();
    const log = requests();
    const windowed = log.filter((entry) => entry.at >= windowStart && entry.at < windowEnd);
    const inWindow = windowed.reduce((sum, entry) => sum + looked(entry).length, 0);
    const pagesInWindow = windowed.filter(isListPage).length;
    const collected = await contender.collect(ids);
    // Lag from the request log: the first answered request (or list page showing the order) after a change is when the tracker learned of it.
    const answeredAt = new Map<string, number[]>();
    for (const entry of log) {
      if (entry.httpStatus !== 200) continue;
      for (const orderId of looked(entry)) {
        const list = answeredAt.get(orderId) ?? [];
        list.push(entry.at);
        answeredAt.set(orderId, list);
      }
    }
    const lags: number[] = [];
    let missed = 0;
    for (const [orderId, changeAt] of changedAt) {
      const known = (answeredAt.get(orderId) ?? []).find((time) => time >= changeAt && time <= windowEnd);
      if (known === undefined) missed += 1;
      else lags.push(known - changeAt);
    }
    const seconds = (windowEnd - windowStart) / 1000;
    const cpu = usage.workerCpuSeconds + usage.serverCpuSeconds;
    return {
      contender: name,
      inFlight: size,
      timeScale,
      measuredSeconds: seconds,
      pollCyclesPerSecond: inWindow / seconds,
      requestsPerSecond: windowed.length / seconds,
      listPagesPerSecond: pagesInWindow / seconds,
      workerCpuSeconds: usage.workerCpuSeconds,
      serverCpuSeconds: usage.serverCpuSeconds,
      coresUsed: cpu / seconds,
      cpuSecondsPer1000Cycles: inWindow === 0 ? Number.NaN : (cpu / inWindow) * 1000,
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
