/** The report's tables: the contenders side by side, per provider, and the scaling curve. */
import type { BenchResults } from './bench-results';
import type { ScalingPoint } from './scaling';
import { fixed, minutes, seconds } from './report-format';

export function contenderTable(results: Pick<BenchResults, 'options' | 'contenders'>): string {
  const scale = results.options.timeScale;
  const rows = results.contenders.map((result) =>
    [
      result.name,
      `${fixed(result.requestsPerOrder)}${result.listPages ? ` (${result.listPages} list pages)` : ''}`,
      result.polls === undefined ? '–' : fixed(result.polls / result.orders),
      `${seconds(result.lagMs.p50)} / ${seconds(result.lagMs.p95)} / ${seconds(result.lagMs.p99)}`,
      `${minutes(result.lagMs.p50 * scale)} / ${minutes(result.lagMs.p95 * scale)} / ${minutes(result.lagMs.p99 * scale)}`,
      result.recoveryLagMs && result.recoveryLagMs.count > 0
        ? `${seconds(result.recoveryLagMs.p50)} / ${seconds(result.recoveryLagMs.p99)} (${result.recoveryLagMs.count})`
        : '–',
      String(result.missedChanges),
      result.history ? `${fixed(result.history.eventsPerOrder)} / ${fixed(result.history.eventsPerPollCycle)} / ${result.history.maxRunEvents}` : '–',
      `${fixed(result.workerCpuSeconds)} + ${fixed(result.serverCpuSeconds)}`,
      `${fixed(result.cpuSecondsPer1000Cycles, 2)} / ${fixed(result.cpuSecondsPer1000Polls, 2)}`,
      fixed(result.peakWorkerRssMiB, 0),
      result.scheduleToStartMs ? `${fixed(result.scheduleToStartMs.p50, 0)} / ${fixed(result.scheduleToStartMs.p95, 0)}` : '–',
      `${result.kill.lost} / ${result.kill.doubled}${result.kill.unfinished ? ` (+${result.kill.unfinished} unfinished)` : ''}`,
      fixed(result.wallSeconds, 0),
    ].join(' | '),
  );
  return [
    '| contender | requests/order | polls/order | lag p50 / p95 / p99 (wall, scaled run) | same ×scale (unscaled) | lag of changes hit by the kill: p50 / p99 (count) | missed changes | history events: per order / per poll / longest run | CPU-s worker + server | CPU-s per 1,000 requests / polls | peak worker RSS MiB | poll schedule-to-start p50 / p95 ms | lost / doubled after SIGKILL | run s |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}

export function providerTable(results: Pick<BenchResults, 'contenders'>): string {
  const providers = ['magma', 'miraclecash', 'ozzobit', 'houdini'] as const;
  const rows = results.contenders.map(
    (result) =>
      `| ${result.name} | ${providers
        .map((provider) => `${fixed(result.requestsPerOrderByProvider[provider])} req, p95 ${seconds(result.lagMsByProvider?.[provider]?.p95 ?? Number.NaN)}`)
        .join(' | ')} |`,
  );
  return ['| contender | magma | miraclecash | ozzobit (push) | houdini (push) |', '|---|---|---|---|---|', ...rows].join('\n');
}

export function scalingTable(points: ScalingPoint[]): string {
  if (points.length === 0) return '_not run (`--scaling none`)_';
  const reused = points.find((point) => point.reusedFrom !== undefined)?.reusedFrom;
  const note = reused ? `_Reused from the run of ${reused} (\`--scaling-from\`): the curve does not depend on the corpus._\n\n` : '';
  const rows = points.map((point) =>
    [
      point.contender,
      point.inFlight,
      point.timeScale,
      fixed(point.startsPerSecond, 0),
      fixed(point.pollCyclesPerSecond),
      point.requestsPerSecond === undefined ? '–' : `${fixed(point.requestsPerSecond)} (${fixed(point.listPagesPerSecond)} pages)`,
      `${fixed(point.workerCpuSeconds)} + ${fixed(point.serverCpuSeconds)}`,
      fixed(point.coresUsed, 2),
      fixed(point.cpuSecondsPer1000Cycles, 2),
      `${seconds(point.lagMs.p50)} / ${seconds(point.lagMs.p95)}`,
      point.missedChanges,
      `${fixed(point.scheduleToStartMs.p50, 0)} / ${fixed(point.scheduleToStartMs.p95, 0)}`,
      fixed(point.peakWorkerRssMiB, 0),
    ].join(' | '),
  );
  return note + [
    '| contender | in flight | time scale | starts/s | polls/s | requests/s | CPU-s worker + server | cores used | CPU-s per 1,000 polls | lag p50 / p95 (wall) | changes not seen by window end | schedule-to-start p50 / p95 ms | peak worker RSS MiB |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}
