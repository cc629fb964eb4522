import type { SqliteJournal } from './temporal-server';
/** One contender against the workload on a fresh sandbox: submit on schedule, one SIGKILL, figures. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MIRACLECASH_MAX_POLL_MS } from '../../providers/miraclecash/miraclecash-cadence';
import { findFreePort } from '../../common/temporal-servers';
import { startSandboxStack } from '../../sandbox/sandbox-stack';
import { LOOP_SILENT_AFTER_MS } from '../../activities/poll-groups/loop-ownership';
import { DEFAULT_SETTINGS } from '../../workflows/settings';
import type { Contender } from './contenders/contender';
import { type ContenderResult, contenderFigures } from './contender-figures';
import { BENCH_PROVIDERS } from './requests';
import { type BenchOrder, scriptLengthMs, scriptOf } from '../workload/corpus';

export type { ContenderResult } from './contender-figures';

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
      // A killed poll group's orders wait until a watchdog hands its loop to another attempt.
      const quietMs = contender.durable ? Math.max(LOOP_SILENT_AFTER_MS + 50_000, MIRACLECASH_MAX_POLL_MS / options.timeScale + 10_000) : 5_000;
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
    return contenderFigures({
      name: contender.name,
      durable: contender.durable,
      timeScale,
      floorMs: DEFAULT_SETTINGS.minRequestGapMs / timeScale,
      orders,
      ids,
      createdAt,
      startedAt,
      finishedAt,
      killAt,
      stillRunning,
      submitErrors,
      usage,
      collected,
      logs: Object.fromEntries(BENCH_PROVIDERS.map((provider) => [provider, sandbox[provider].requests()])),
    });
  } finally {
    await contender.stop().catch((error: unknown) => log(`  ${contender.name}: stop failed: ${String(error)}`));
    await sandbox.close();
  }
}
