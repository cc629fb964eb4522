/**
 * `npm run bench`: every contender on the same scenario corpus, one after another on this machine,
 * then the scaling curve; writes results.json and results.md (see harness/bench/README.md).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createContender } from './contenders';
import type { ContenderName } from './contenders/contender';
import { runScript } from '../../common/arguments';
import { parseOptions, type BenchOptions } from './options';
import { renderMarkdown } from './report';
import { runContender, type ContenderResult } from './run-contender';
import type { BenchResults } from './bench-results';
import { runScaling, type ScalingPoint } from './scaling';

export type { BenchResults } from './bench-results';
import { buildPromptWorkload, buildWorkload, scriptLengthMs } from '../workload/corpus';

export async function runBench(options: BenchOptions, log: (line: string) => void = console.log): Promise<BenchResults> {
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), 'order-tracker-bench-'));
  const providers = ['magma', 'miraclecash', 'ozzobit', 'houdini'] as const;
  const orders =
    options.workload === 'prompts'
      ? buildPromptWorkload(options)
      : buildWorkload({ orders: options.orders, providers, arrivalWindowMs: options.arrivalWindowMs, seed: options.seed });
  const lengths = orders.map(scriptLengthMs);
  const byProvider: Record<string, number> = {};
  for (const order of orders) byProvider[order.provider] = (byProvider[order.provider] ?? 0) + 1;
  log(`bench: ${orders.length} orders (${options.workload}), time scale ${options.timeScale}, work folder ${workDir}`);
  const run = async (name: ContenderName, index: number): Promise<ContenderResult> => {
    // Side by side, starts are staggered so servers and ports are not taken at the same instant.
    if (options.parallel) await sleep(index * 3_000);
    log(`bench: ${name} ...`);
    const result = await runContender(createContender(name), orders, {
      timeScale: options.timeScale,
      workDir,
      killAtFraction: options.killAtFraction,
      sqliteJournal: options.sqliteJournal,
      warmupMs: (name.startsWith('order-tracker') || name.startsWith('temporal') ? 6_000 : 2_000) + (options.parallel ? (options.contenders.length - 1 - index) * 3_000 : 0),
      log,
    });
    log(
      `  ${name}: ${result.requestsPerOrder.toFixed(1)} requests/order, lag p95 ${result.lagMs.p95.toFixed(0)} ms, ` +
        `${(result.cpuSecondsPer1000Polls ?? result.cpuSecondsPer1000Cycles).toFixed(2)} CPU-s/1000 polls, lost ${result.kill.lost}, doubled ${result.kill.doubled}` +
        (result.actions ? `, ${result.actions.mean.total.toFixed(1)} actions/order (target ${result.actions.mean.target.toFixed(1)})` : ''),
    );
    return result;
  };
  const results: ContenderResult[] = [];
  if (options.parallel) {
    results.push(...(await Promise.all(options.contenders.map(run))));
  } else {
    for (const [index, name] of options.contenders.entries()) results.push(await run(name, index));
  }
  const scaling = options.scalingFrom
    ? reusedScaling(options.scalingFrom, log)
    : options.scaling.length > 0
      ? await runScaling({
          sizes: options.scaling,
          contenders: options.scalingContenders,
          arrivalSeconds: options.scalingArrivalSeconds,
          measureSeconds: options.scalingMeasureSeconds,
          timeScale: options.scalingTimeScale,
          existingServer: options.existingServer,
          sqliteJournal: options.sqliteJournal,
          workDir,
          log,
        })
      : [];
  const { outputDir: _outputDir, workDir: _workDir, ...recorded } = options;
  return {
    generatedAt: new Date().toISOString(),
    machine: { cpus: require('node:os').cpus().length as number, node: process.version },
    options: recorded,
    workload: {
      orders: orders.length,
      byProvider,
      meanOrderMinutes: lengths.reduce((sum, value) => sum + value, 0) / lengths.length / 60_000,
      longestOrderMinutes: Math.max(...lengths) / 60_000,
    },
    contenders: results,
    scaling,
    ...(options.capacityFrom && { capacity: capacityRun(options.capacityFrom, log) }),
  };
}

export function capacityRun(file: string, log: (line: string) => void): BenchResults['capacity'] {
  const earlier = JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
  if (!Array.isArray(earlier.contenders) || earlier.contenders.length === 0) throw new Error(`--capacity-from ${file}: no contenders in it`);
  log(`bench: run at capacity shown from ${file} (generated ${earlier.generatedAt})`);
  const { generatedAt, options, workload, contenders } = earlier.capacity ?? earlier;
  return { generatedAt, options, workload, contenders };
}

/** The curve of an earlier run (it takes its own half hour and does not depend on the corpus). */
function reusedScaling(file: string, log: (line: string) => void): ScalingPoint[] {
  const earlier = JSON.parse(readFileSync(file, 'utf8')) as Partial<BenchResults>;
  if (!Array.isArray(earlier.scaling) || earlier.scaling.length === 0) throw new Error(`--scaling-from ${file}: no scaling curve in it`);
  log(`bench: scaling curve reused from ${file} (generated ${earlier.generatedAt ?? 'at an unknown time'})`);
  return earlier.scaling.map((point) => ({ ...point, reusedFrom: earlier.generatedAt }));
}

export function writeResults(results: BenchResults, outputDir: string): void {
  mkdirSync(outputDir, { recursive: true });
  writeFileSync(join(outputDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(outputDir, 'results.md'), renderMarkdown(results));
}

if (require.main === module) {
  runScript('bench', () => parseOptions(process.argv.slice(2), resolve(__dirname)), async (options) => {
    const results = await runBench(options);
    if (options.existingServer !== undefined) {
      // One scaling point on someone else's server: its figures, shown by `render.ts --cluster-scaling-from`.
      mkdirSync(options.outputDir, { recursive: true });
      writeFileSync(join(options.outputDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
      console.log(`bench: wrote ${join(options.outputDir, 'results.json')}`);
      return 0;
    }
    writeResults(results, options.outputDir);
    console.log(`bench: wrote ${join(options.outputDir, 'results.md')} and results.json`);
    return 0;
  });
}
