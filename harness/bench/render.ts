/**
 * Re-renders results.md from results.json (after a change to the report):
 * `npx tsx harness/bench/render.ts [dir] [--capacity-from other/results.json] [--add-contenders-from other/results.json]`.
 * `--capacity-from` stores another run of the full corpus as this one's run at capacity;
 * `--add-contenders-from` adds the contenders of a run with the same options (the other group of a
 * side-by-side run that would not fit on the machine at once); `--cluster-scaling-from` (with
 * `--cluster-server "<what it ran on>"`) stores the scaling point of a `--temporal-address` run as the
 * curve's figures on a real cluster.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderMarkdown } from './report';
import type { BenchResults } from './bench-results';
import { capacityRun } from './run';

const args = process.argv.slice(2);
const flags = new Map<string, string>();
const positional: string[] = [];
for (let index = 0; index < args.length; index += 1) {
  const arg = args[index] as string;
  if (arg === '--capacity-from' || arg === '--add-contenders-from' || arg === '--cluster-scaling-from' || arg === '--cluster-server') {
    const value = args[index + 1];
    if (value === undefined) throw new Error(`${arg} needs a results.json`);
    flags.set(arg, value);
    index += 1;
  } else {
    positional.push(arg);
  }
}
const directory = resolve(positional[0] ?? __dirname);
const results = JSON.parse(readFileSync(join(directory, 'results.json'), 'utf8')) as BenchResults;
const capacityFile = flags.get('--capacity-from');
if (capacityFile !== undefined) results.capacity = capacityRun(capacityFile, console.log);
const clusterFile = flags.get('--cluster-scaling-from');
if (clusterFile !== undefined) {
  // One results.json per point (a point per fresh cluster), comma-separated.
  const runs = clusterFile.split(',').map((file) => {
    const cluster = JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
    if (!Array.isArray(cluster.scaling) || cluster.scaling.length === 0) throw new Error(`--cluster-scaling-from ${file}: no scaling point in it`);
    return cluster;
  });
  const server = flags.get('--cluster-server');
  if (server === undefined) throw new Error('--cluster-scaling-from needs --cluster-server "<the server it ran on>"');
  results.clusterScaling = { generatedAt: runs.map((run) => run.generatedAt).join(', '), server, points: runs.flatMap((run) => run.scaling) };
}
const otherFile = flags.get('--add-contenders-from');
if (otherFile !== undefined) {
  const other = JSON.parse(readFileSync(otherFile, 'utf8')) as BenchResults;
  const same = (['orders', 'timeScale', 'arrivalWindowMs', 'seed', 'killAtFraction', 'parallel'] as const).every(
    (key) => other.options[key] === results.options[key],
  );
  if (!same) throw new Error(`--add-contenders-from ${otherFile}: its run had other options (orders, scale, arrivals, seed, kill or parallel)`);
  const names = new Set(results.contenders.map((result) => result.name));
  const added = other.contenders.filter((result) => !names.has(result.name));
  results.groups = [...(results.groups ?? [results.contenders.map((result) => result.name)]), added.map((result) => result.name)];
  results.contenders.push(...added);
}
if (flags.size > 0) writeFileSync(join(directory, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(directory, 'results.md'), renderMarkdown(results));
