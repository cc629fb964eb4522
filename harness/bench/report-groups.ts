/**
 * The report's sections for poll groups (issue 28): Temporal actions per order, requests per order
 * with the list pages, push → recorded outcome, and the issue's targets met or missed.
 */
import { GROUP_HEARTBEAT_EVERY_MS } from '../../activities/poll-groups/loop-ownership';
import type { BenchResults } from './bench-results';
import type { ContenderResult } from './contender-figures';
import type { ScalingPoint } from './scaling';
import { type Verdict, find, fixed, seconds, sharedRequests } from './report-format';

const ORDER_TRACKERS = ['order-tracker', 'order-tracker-retry', 'order-tracker-push'];
/** A group's loop heartbeats once per GROUP_HEARTBEAT_EVERY_MS, busy or idle: its heartbeats a day. */
export const GROUP_HEARTBEATS_PER_DAY = 86_400_000 / GROUP_HEARTBEAT_EVERY_MS;
/** Issue 28: a MiracleCash prompt pending for its 24 h costs at most this many actions. */
export const PROMPT_ACTION_TARGET = 100;

export function actionsSection(results: BenchResults): string {
  const rows = ORDER_TRACKERS.flatMap((name) => {
    const actions = find(results, name)?.actions;
    if (actions === undefined) return [];
    const { mean } = actions;
    const attempts = Object.entries(actions.attemptsByType).map(([type, count]) => `${type} ${fixed(count)}`).join(', ');
    const check = actions.attempts.answeredAtServer === null ? '–' : `${actions.attempts.counted} / ${actions.attempts.answeredAtServer} (${actions.attempts.rebuilt} rebuilt)`;
    return [
      `| ${name} | **${fixed(mean.total)}** | ${fixed(mean.target)} | ${actions.overTarget} of ${actions.orders} | ${fixed(mean.starts, 2)} | ${fixed(mean.activityAttempts)} (${attempts}) | ${fixed(mean.signals)} | ${fixed(mean.timers)} | ${fixed(mean.upserts)} | ${fixed(mean.groupShare, 2)} + ${fixed(mean.heartbeatShare, 2)} | ${check} |`,
    ];
  });
  if (rows.length === 0) return '';
  const worst = ORDER_TRACKERS.flatMap((name) =>
    (find(results, name)?.actions?.worst ?? []).map(
      (order) =>
        `| ${name} | ${order.key} (${order.provider}, ${order.changes} changes) | ${fixed(order.total)} / ${order.target} | ${order.starts} start(s), ${Object.entries(order.attemptsByType).map(([type, count]) => `${type} ${count}`).join(', ')}, ${order.signals} signals, ${order.timers} timers, ${order.upserts} upserts, groups ${fixed(order.groupShare + order.heartbeatShare, 2)} |`,
    ),
  );
  return `## Temporal actions per order

Counted from the server's histories after the run (every run of every order and poll group): starts (continue-as-new
included), activity attempts (a retried activity's last attempt number; a group watch cancelled between attempts rebuilt
from its schedule), signals, timers and search-attribute upserts that set more than \`TemporalChangeVersion\`; plus each
order's share of its provider's poll groups (their own actions, and their heartbeats as the server counted them:
\`RecordActivityTaskHeartbeat\` requests at its frontend). Target (issue 28): at most 2 × (status changes + 3) per order.

| contender | actions per order | target (mean) | orders over their target | starts | activity attempts (by type) | signals | timers | upserts | groups' share: actions + heartbeats | attempts counted / answered at the server |
|---|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

The orders furthest above their target (or nearest to it):

| contender | order | actions / target | what they are |
|---|---|---|---|
${worst.join('\n')}

`;
}

/** Requests per order with the list pages attributed, against the seed loops, provider by provider. */
export function requestsSection(results: BenchResults): string {
  const seed = find(results, 'seed-loops');
  const rows = ORDER_TRACKERS.flatMap((name) => {
    const ours = find(results, name);
    if (ours === undefined || seed === undefined) return [];
    return (['houdini', 'magma', 'miraclecash', 'ozzobit'] as const).map((provider) => {
      const shared = sharedRequests(ours, seed, provider);
      const ratio = shared === undefined ? Number.NaN : shared.theirs / Math.max(1e-9, shared.ours);
      const lag = `${seconds(ours.lagMsByProvider[provider]?.p95 ?? Number.NaN)} vs ${seconds(seed.lagMsByProvider[provider]?.p95 ?? Number.NaN)}`;
      const pages = ours.listPagesByProvider?.[provider] ?? 0;
      const rates = rateComparison(ours, seed, provider);
      return `| ${name} | ${provider} | ${shared === undefined ? '–' : `${fixed(shared.ours)} vs ${fixed(shared.theirs)} (${shared.orders} orders)`} | ${fixed(ratio)}× | ${fixed(rates.ours, 2)} vs ${fixed(rates.theirs, 2)} = ${fixed(rates.ratio)}× | ${pages} | ${lag} |`;
    });
  });
  if (rows.length === 0) return '';
  return `## Requests per order and lag, against the seed loops

Over the orders both followed to the end, and per order per minute followed (wall; until known final, or forgotten at
the kill by a plain loop: what the kill does not skew). A list page names no order: each counts as an equal share for every
order of its provider in flight when it was asked (created, not yet known final), so the shares add up to the pages.

| contender | provider | requests per order: ours vs the seed loops' | fewer | requests per order-minute followed: ours vs theirs | list pages (all orders) | p95 lag (wall): ours vs theirs |
|---|---|---|---|---|---|---|
${rows.join('\n')}

`;
}

export function groupVerdicts(results: BenchResults): Verdict[] {
  const list: Verdict[] = [];
  const tracker = find(results, 'order-tracker');
  const seed = find(results, 'seed-loops');
  const prompts = results.options.workload === 'prompts';
  const actions = tracker?.actions;
  if (actions !== undefined && !prompts) {
    list.push({
      target: 'Temporal actions per order ≤ 2 × (status changes + 3) on the corpus',
      met: actions.overTarget === 0,
      detail: `mean ${fixed(actions.mean.total)} against a mean target of ${fixed(actions.mean.target)}; ${actions.overTarget} of ${actions.orders} orders over their own target${retryNote(results)}`,
    });
  }
  if (actions !== undefined && prompts) list.push(promptVerdict(actions));
  if (tracker && seed) {
    const ours = tracker.cpuSecondsPer1000Polls ?? tracker.cpuSecondsPer1000Cycles;
    const theirs = seed.cpuSecondsPer1000Polls ?? seed.cpuSecondsPer1000Cycles;
    list.push({
      target: 'worker + server CPU per poll ≤ 2 × the seed loops\' (corpus)',
      met: ours <= 2 * theirs,
      detail: `${fixed(ours, 2)} vs ${fixed(theirs, 2)} CPU-s per 1,000 polls = ${fixed(ours / theirs, 2)}× (polls: per-order requests plus list pages' looks at orders in flight)`,
    });
    for (const provider of ['houdini', 'magma'] as const) list.push(listVerdict(tracker, seed, provider));
    for (const provider of ['miraclecash', 'ozzobit'] as const) list.push(perOrderVerdict(tracker, seed, provider));
  }
  const push = find(results, 'order-tracker-push')?.pushToOutcomeMs;
  if (push !== undefined) {
    list.push({
      target: 'a pushed final status → recorded outcome p95 < 1.5 s when no request for the order went out in the floor before the push (pushes the kill hit left out)',
      met: push.quiet.count > 0 && push.quiet.p95 < 1_500,
      detail: `p95 ${seconds(push.quiet.p95)} over ${push.quiet.count} pushes (floor ${seconds(push.floorMs)} at this time scale); all ${push.all.count} pushed finals: p50 ${seconds(push.all.p50)}, p95 ${seconds(push.all.p95)}`,
    });
  }
  list.push(...scalingVerdicts(results.scaling));
  return list;
}

/**
 * The prompt scenario: what one prompt's own 24 h cost, plus its groups' heartbeats over a real day
 * (wall time: the scaled run holds 1/scale of them), shared by the MiracleCash orders in flight.
 */
function promptVerdict(actions: NonNullable<ContenderResult['actions']>): Verdict {
  const groups = actions.groups.workflowsByProvider?.miraclecash ?? actions.groups.workflows;
  const own = actions.mean.total - actions.mean.groupShare - actions.mean.heartbeatShare;
  const worst = Math.max(...actions.worst.map((order) => order.total - order.groupShare - order.heartbeatShare));
  const heartbeatsPerDay = GROUP_HEARTBEATS_PER_DAY * groups;
  const perPrompt = heartbeatsPerDay / Math.max(1, actions.orders);
  const breakEven = heartbeatsPerDay / Math.max(1, PROMPT_ACTION_TARGET - own - actions.mean.groupShare);
  return {
    target: `a MiracleCash prompt pending for its 24 h: ≤ ${PROMPT_ACTION_TARGET} Temporal actions (before groups: ~17,280 attempts at 5 s)`,
    met: own + actions.mean.groupShare + perPrompt <= PROMPT_ACTION_TARGET,
    detail:
      `its own actions ${fixed(own)} (worst ${fixed(worst)}), its share of its groups' own actions ${fixed(actions.mean.groupShare, 2)}; ` +
      `its groups' heartbeats: ${fixed(actions.mean.heartbeatShare, 2)} in this scaled run, ${fixed(perPrompt)} over a real day with ${actions.orders} prompts in flight ` +
      `(${groups} MiracleCash groups × ${GROUP_HEARTBEATS_PER_DAY} a day = ${heartbeatsPerDay}, shared by the MiracleCash orders in flight): ` +
      `within ${PROMPT_ACTION_TARGET} from ${fixed(breakEven, 0)} MiracleCash orders in flight on`,
  };
}

function retryNote(results: BenchResults): string {
  const retry = find(results, 'order-tracker-retry')?.actions;
  return retry === undefined ? '' : `; today's shape (order-tracker-retry) ${fixed(retry.mean.total)} per order, ${retry.overTarget} over`;
}

/** Requests per order-minute followed: robust to a plain loop forgetting its orders at the kill. */
function rateComparison(ours: ContenderResult, theirs: ContenderResult, provider: 'houdini' | 'magma' | 'miraclecash' | 'ozzobit') {
  const mine = ours.requestRateByProvider?.[provider] ?? Number.NaN;
  const other = theirs.requestRateByProvider?.[provider] ?? Number.NaN;
  return { ours: mine, theirs: other, ratio: other / mine };
}

function listVerdict(tracker: ContenderResult, seed: ContenderResult, provider: 'houdini' | 'magma'): Verdict {
  const shared = sharedRequests(tracker, seed, provider);
  const rates = rateComparison(tracker, seed, provider);
  // Over the same orders where enough were followed to the end by both; else by the rate.
  const ratio = shared !== undefined && shared.orders >= 5 ? shared.theirs / Math.max(1e-9, shared.ours) : rates.ratio;
  const ours = tracker.lagMsByProvider[provider]?.p95 ?? Number.NaN;
  const theirs = seed.lagMsByProvider[provider]?.p95 ?? Number.NaN;
  const scale = tracker.timeScale;
  return {
    target: `${provider}: ≥ 10× fewer requests per order than the seed loops at a p95 lag ≤ theirs + 1 s`,
    met: ratio >= 10 && ours * scale <= theirs * scale + 1_000,
    detail:
      `${fixed(ratio)}× fewer (per order over ${shared?.orders ?? 0} orders both followed: ${fixed(shared?.ours)} vs ${fixed(shared?.theirs)}; ` +
      `per order-minute followed: ${fixed(rates.ours, 2)} vs ${fixed(rates.theirs, 2)}); p95 lag unscaled ${seconds(ours * scale)} vs ${seconds(theirs * scale)}`,
  };
}

function perOrderVerdict(tracker: ContenderResult, seed: ContenderResult, provider: 'miraclecash' | 'ozzobit'): Verdict {
  const shared = sharedRequests(tracker, seed, provider);
  const ours = tracker.lagMsByProvider[provider]?.p95 ?? Number.NaN;
  const theirs = seed.lagMsByProvider[provider]?.p95 ?? Number.NaN;
  const scale = tracker.timeScale;
  const rates = rateComparison(tracker, seed, provider);
  const fewer = shared !== undefined && shared.orders >= 5 ? shared.ours <= shared.theirs : rates.ours <= rates.theirs;
  return {
    target: `${provider}: no more requests per order than the seed loops at equal lag`,
    met: fewer && ours * scale <= theirs * scale + 1_000,
    detail:
      `${fixed(shared?.ours)} vs ${fixed(shared?.theirs)} requests per order over ${shared?.orders ?? 0} orders both followed, ${fixed(rates.ours, 2)} vs ${fixed(rates.theirs, 2)} per order-minute followed; ` +
      `p95 lag unscaled ${seconds(ours * scale)} vs ${seconds(theirs * scale)} (equal: within 1 s)`,
  };
}

function scalingVerdicts(points: readonly ScalingPoint[]): Verdict[] {
  const ours = points.filter((point) => point.contender === 'order-tracker');
  const seeds = points.filter((point) => point.contender === 'seed-loops');
  const pairs = ours.flatMap((point) => {
    const seed = seeds.find((candidate) => candidate.inFlight === point.inFlight && candidate.timeScale === point.timeScale);
    return seed === undefined ? [] : [{ point, seed }];
  });
  if (pairs.length === 0) return [];
  const list: Verdict[] = [
    {
      target: 'sustained curve: order-tracker\'s polls/s ≥ 0.7 × the seed loops\' at every point',
      met: pairs.every(({ point, seed }) => point.pollCyclesPerSecond >= 0.7 * seed.pollCyclesPerSecond),
      detail: pairs.map(({ point, seed }) => `${point.inFlight}: ${fixed(point.pollCyclesPerSecond)} vs ${fixed(seed.pollCyclesPerSecond)} (${fixed(point.pollCyclesPerSecond / seed.pollCyclesPerSecond, 2)}×)`).join('; '),
    },
    {
      target: 'worker + server CPU per poll ≤ 2 × the seed loops\' in the same run (each point)',
      met: pairs.every(({ point, seed }) => point.cpuSecondsPer1000Cycles <= 2 * seed.cpuSecondsPer1000Cycles),
      detail: pairs.map(({ point, seed }) => `${point.inFlight}: ${fixed(point.cpuSecondsPer1000Cycles, 2)} vs ${fixed(seed.cpuSecondsPer1000Cycles, 2)} CPU-s per 1,000 polls (${fixed(point.cpuSecondsPer1000Cycles / seed.cpuSecondsPer1000Cycles, 1)}×)`).join('; '),
    },
  ];
  const sorted = [...ours].sort((first, second) => first.inFlight - second.inFlight);
  const [smallest, largest] = [sorted[0], sorted[sorted.length - 1]];
  if (smallest !== undefined && largest !== undefined && largest !== smallest) {
    const serverCores = (point: ScalingPoint) => point.serverCpuSeconds / point.measuredSeconds;
    const pollGrowth = largest.pollCyclesPerSecond / smallest.pollCyclesPerSecond;
    const serverGrowth = serverCores(largest) / Math.max(1e-9, serverCores(smallest));
    list.push({
      target: 'the server\'s CPU no longer grows with polls',
      met: serverGrowth <= Math.max(1.5, pollGrowth / 4),
      detail: `server cores ${sorted.map((point) => `${point.inFlight}: ${fixed(serverCores(point), 2)}`).join(', ')} while polls/s went ${sorted.map((point) => fixed(point.pollCyclesPerSecond, 0)).join(' → ')} (${fixed(pollGrowth)}× polls, ${fixed(serverGrowth)}× server CPU)`,
    });
  }
  return list;
}
