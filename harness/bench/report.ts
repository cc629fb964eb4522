/** results.md from results.json: the tables, then each target met or missed, by how much and why. */
import type { LagSummary } from './metrics';
import type { ContenderResult } from './contender-figures';
import type { BenchResults } from './bench-results';
import type { ScalingPoint } from './scaling';
import { DEFAULT_SETTINGS } from '../../workflows/settings';
import { analysis } from './report-analysis';
import { type Verdict, find, fixed, minutes, pushPathNote, seconds, timerNote } from './report-format';
import { actionsSection, groupVerdicts, requestsSection } from './report-groups';
import { contenderTable, providerTable, scalingTable } from './report-tables';

function verdicts(results: BenchResults): Verdict[] {
  const scale = results.options.timeScale;
  const tracker = find(results, 'order-tracker');
  const push = find(results, 'order-tracker-push');
  const seed = find(results, 'seed-loops');
  const list: Verdict[] = [];
  if (tracker && seed) {
    const fewer = tracker.requestsPerOrder < seed.requestsPerOrder;
    const lagOk = tracker.lagMs.p95 <= seed.lagMs.p95;
    list.push({
      target: 'poll only: fewer requests per order than the seed loops at equal or better p95 lag',
      met: fewer && lagOk,
      detail:
        `${fixed(tracker.requestsPerOrder)} vs ${fixed(seed.requestsPerOrder)} requests/order (${fixed(seed.requestsPerOrder / tracker.requestsPerOrder)}× fewer: ${fewer ? 'met' : 'missed'}); ` +
        `p95 lag ${seconds(tracker.lagMs.p95)} vs ${seconds(seed.lagMs.p95)} wall, ${minutes(tracker.lagMs.p95 * scale)} vs ${minutes(seed.lagMs.p95 * scale)} unscaled ` +
        `(${lagOk ? 'met' : `missed by ${fixed(tracker.lagMs.p95 / Math.max(1, seed.lagMs.p95), 0)}×`})`,
    });
  }
  if (push && seed) {
    const ratio = seed.requestsPerOrder / push.requestsPerOrder;
    const pushed = (['ozzobit', 'houdini'] as const).map((provider) => push.lagMsByProvider?.[provider]?.p95 ?? Number.NaN);
    const pushP95 = Math.max(...pushed);
    const pushCapable = ['ozzobit', 'houdini'] as const;
    const meanOver = (result: ContenderResult) =>
      pushCapable.reduce((sum, provider) => sum + (result.requestsPerOrderByProvider[provider] ?? Number.NaN), 0) / pushCapable.length;
    const pushedRatio = meanOver(seed) / meanOver(push);
    list.push({
      target: 'with push: ≥ 10× fewer requests than the seed loops',
      met: ratio >= 10 && pushedRatio >= 10,
      detail:
        `push-capable providers (OZZOBiT, Houdini): ${fixed(meanOver(push))} vs ${fixed(meanOver(seed))} requests/order = ${fixed(pushedRatio)}× (${pushedRatio >= 10 ? 'met' : 'missed'}); ` +
        `all orders: ${fixed(push.requestsPerOrder)} vs ${fixed(seed.requestsPerOrder)} = ${fixed(ratio)}× (${ratio >= 10 ? 'met' : 'missed'}: Magma and MiracleCash have no push, so their orders are polled at the same cadence as without push)`,
    });
    list.push({
      target: 'with push: p95 lag < 1 s (unscaled)',
      met: push.lagMs.p95 * scale < 1_000,
      detail:
        `all orders: p95 ${seconds(push.lagMs.p95)} wall = ${minutes(push.lagMs.p95 * scale)} unscaled (Magma and MiracleCash have no push and stay polled). ` +
        `Push-capable providers only (OZZOBiT, Houdini): p95 ${seconds(pushP95)} wall; a push's delivery is transport time that does not shrink with the time scale, so for them the wall figure is the unscaled one` +
        pushPathNote(push),
    });
  }
  const bare = results.scaling.filter((point) => point.contender === 'temporal-bare-loop');
  const ours = results.scaling.filter((point) => point.contender === 'order-tracker');
  const largest = [...ours].sort((first, second) => second.inFlight - first.inFlight)[0];
  const bareLargest = largest && bare.find((point) => point.inFlight === largest.inFlight);
  if (largest && bareLargest) {
    const ratio = largest.pollCyclesPerSecond / bareLargest.pollCyclesPerSecond;
    list.push({
      target: 'poll cycles/s ≥ 0.8 × the bare activity+timer loop on the same server',
      met: ratio >= 0.8,
      detail: `at ${largest.inFlight} in flight: ${fixed(largest.pollCyclesPerSecond)} vs ${fixed(bareLargest.pollCyclesPerSecond)} cycles/s = ${fixed(ratio, 2)}×; CPU per 1,000 cycles ${fixed(largest.cpuSecondsPer1000Cycles, 2)} vs ${fixed(bareLargest.cpuSecondsPer1000Cycles, 2)} s`,
    });
  }
  if (tracker?.history) {
    list.push({
      target: 'history bounded for any order length',
      // One poll cycle and the fulfilment may pass the limit before the run ends.
      met: tracker.history.maxRunEvents <= DEFAULT_SETTINGS.continueAsNewAfterEvents + 60,
      detail: `longest single run ${tracker.history.maxRunEvents} events; trackOrder continues as new at ${DEFAULT_SETTINGS.continueAsNewAfterEvents} events (or when the server suggests it), carrying its state, so a run never grows past that whatever the order's length (${fixed(tracker.history.eventsPerPollCycle)} events per poll cycle here)`,
    });
  }
  const tenThousand = ours.find((point) => point.inFlight >= 10_000);
  if (tenThousand) {
    list.push({
      target: '10,000 in-flight orders with worker RSS < 1 GiB',
      met: tenThousand.peakWorkerRssMiB < 1024,
      detail: `peak worker RSS ${fixed(tenThousand.peakWorkerRssMiB, 0)} MiB with ${tenThousand.inFlight} in flight`,
    });
  }
  for (const name of ['order-tracker', 'order-tracker-push']) {
    const result = find(results, name);
    if (result) {
      list.push({
        target: results.options.killAtFraction > 0 ? `${name}: zero lost or doubled after a SIGKILL of the worker` : `${name}: zero lost or doubled (no kill in this run)`,
        met: result.kill.lost === 0 && result.kill.doubled === 0,
        detail: `lost ${result.kill.lost}, doubled ${result.kill.doubled}, still in flight at the cut-off ${result.kill.unfinished ?? 0} (worker killed at ${fixed(result.kill.atSeconds ?? Number.NaN)} s and restarted)`,
      });
    }
  }
  return list;
}

function sideBySide(results: BenchResults): string {
  if (!results.options.parallel) return ', the contenders one after another';
  const each = ' (`--parallel`, each with its own sandbox, server and processes)';
  if (results.groups === undefined) return `, the contenders side by side${each}`;
  return `, the contenders side by side${each} in ${results.groups.length} groups, one after another so two cores are not overloaded: ${results.groups.map((group) => group.join(' + ')).join('; ')}`;
}


function capacitySection(results: BenchResults): string {
  const capacity = results.capacity;
  if (capacity === undefined) return '';
  const { options, workload } = capacity;
  return `## At capacity: the full corpus past the server's ceiling

The run of ${capacity.generatedAt} (\`--capacity-from\`, the code of that day): ${workload.orders} orders created over
${fixed(options.arrivalWindowMs / 60_000, 0)} unscaled minutes at time scale ${options.timeScale}, which asks the Temporal contenders for
several times the poll cycles per second the dev server gives on this machine (see the curve). Their requests per order
and lag measure the backlog there, not the cadence; what it shows is behaviour under overload: nothing lost or doubled,
lag growing, requests per order falling.

${contenderTable(capacity)}

Requests per order and p95 detection lag (wall) per provider:

${providerTable(capacity)}

`;
}

function clusterScalingSection(results: BenchResults): string {
  const cluster = results.clusterScaling;
  if (cluster === undefined) return '';
  return `
**On a real cluster** (run of ${cluster.generatedAt}: \`npm run bench -- --temporal-address … --temporal-pid …\`): ${cluster.server}.
The same point code, orders and time scale; "server" CPU is the server process's (PostgreSQL's own CPU is not in it).
The dev server's points above are from their own run (its date is above them), not measured beside these on the same day.

${scalingTable(cluster.points)}
`;
}

export function renderMarkdown(results: BenchResults): string {
  const options = results.options;
  const workload = results.workload;
  const verdictLines = [...groupVerdicts(results), ...verdicts(results)].map(
    (verdict) => `- **${verdict.met === null ? 'n/a' : verdict.met ? 'met' : 'missed'}** — ${verdict.target}: ${verdict.detail}.`,
  );
  return `# order-tracker benchmark results

Generated ${results.generatedAt} by \`npm run bench\` on ${results.machine.cpus} CPUs, Node ${results.machine.node}
(see harness/bench/README.md for what each figure means and how it is measured).

Workload: ${workload.orders} scripted sandbox orders (${Object.entries(workload.byProvider).map(([provider, count]) => `${provider} ${count}`).join(', ')}),
${options.workload === 'prompts' ? 'MiracleCash payment prompts left pending for their 24 h, then expired' : 'realistic unscaled durations'} (mean ${fixed(workload.meanOrderMinutes)} min, longest ${fixed(workload.longestOrderMinutes)} min), created over
${fixed(options.arrivalWindowMs / 60_000, 0)} unscaled minutes; **time scale ${options.timeScale}** for every contender (durations, cadences
and the 5 s floor alike)${sideBySide(results)}. ${timerNote(options.timeScale)}
${options.killAtFraction > 0 ? `The worker of each contender is SIGKILLed once when ${Math.round(options.killAtFraction * 100)} % of orders are fulfilled, and restarted.` : 'No worker is killed in this run.'}
Detection lag is of the changes the kill did not hit. A change hit by it (still unknown when the worker died, and
happened before 20 s of wall time after) pays the crash's cost (worker start, the 10 s sticky-queue timeout) and is in its own column.

## Contenders

${contenderTable(results)}

Requests per order and p95 detection lag (wall) per provider:

${providerTable(results)}

${actionsSection(results)}${requestsSection(results)}${capacitySection(results)}## Scaling curve

${scalingTable(results.scaling)}
${clusterScalingSection(results)}
## Targets

${verdictLines.join('\n')}

${analysis(results)}`;
}
