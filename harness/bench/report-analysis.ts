/** The report's analysis: why the gaps are what they are and what would close them. */
import type { ContenderResult } from './contender-figures';
import type { BenchResults } from './bench-results';
import { DEFAULT_SETTINGS } from '../../workflows/settings';
import { type BenchProvider, TIMER_RESOLUTION_MS, find, fixed, followedRequests, seconds, sharedRequests } from './report-format';

/**
 * Why the gaps are what they are and what would close them, from this run's figures: the poll-only
 * lag per provider against the seed loops' cadence, and retry-driven polling against our loop.
 */
export function analysis(results: BenchResults): string {
  const scale = results.options.timeScale;
  const tracker = find(results, 'order-tracker');
  const seed = find(results, 'seed-loops');
  const infrequent = find(results, 'temporal-infrequent');
  const bare = find(results, 'temporal-bare-loop');
  const lines: string[] = [];
  if (tracker && seed) {
    const rows = (['magma', 'miraclecash', 'ozzobit', 'houdini'] as const).map((provider) => {
      const ours = tracker.lagMsByProvider?.[provider]?.p95 ?? Number.NaN;
      const theirs = seed.lagMsByProvider?.[provider]?.p95 ?? Number.NaN;
      return `| ${provider} | ${requestComparison(tracker, seed, provider)} | ${seconds(ours * scale)} vs ${seconds(theirs * scale)} | ${CADENCE_NOTES[provider]} |`;
    });
    lines.push(
      '**Poll-only lag, provider by provider** (order-tracker vs the seed loops; lag ×scale = unscaled):',
      '',
      `| provider | ${requestsHeading(seed)} | p95 lag | cadence: order-tracker vs the seed |`,
      '|---|---|---|---|',
      ...rows,
      '',
      (DEFAULT_SETTINGS.minRequestGapMs / scale < TIMER_RESOLUTION_MS ? `(At time scale ${scale} the Temporal timers' 1 s resolution stretches every short wait, so the lines below hold only for a run at scale 5 or less.) ` : '') +
      cycleNote(results) +
        'Where a seed loop polls at the 5 s floor (MiracleCash, OZZOBiT, Houdini\'s analogue) order-tracker polls at the same floor, ' +
        'for the same lag at the same requests: no poll-only cadence can be both sparser and as prompt when the provider gives no hint ' +
        'of when its status will change. What beats it is a push (OZZOBiT, Houdini: see the push contender), a provider hint ' +
        '(Magma\'s phase `timeout`, MiracleCash\'s 24 h expiry, both used) or a list endpoint (Houdini\'s `GET /v2/orders` answers ' +
        'for 100 orders a page: polled every 5 s instead of each order, it would cut Houdini\'s requests by up to that factor at the same lag; ' +
        'today only the push bridge\'s catch-up reads it). A raised MIRACLECASH_MAX_POLL trades lag on old payments for requests.',
      '',
    );
  }
  if (tracker && infrequent && bare) {
    const events = (result: ContenderResult) => result.history?.eventsPerPollCycle ?? Number.NaN;
    lines.push(
      '**Retry-driven polling between status changes** (Temporal\'s "infrequent polling": the poll activity fails while the ' +
        'status is unchanged and the server retries it after `nextRetryDelay`; nothing is written to history between attempts):',
      '',
      `- history events per poll cycle: ${fixed(events(infrequent))} vs ${fixed(events(tracker))} (order-tracker) and ${fixed(events(bare))} (bare loop);`,
      `- CPU-seconds per 1,000 cycles, worker + server: ${fixed(infrequent.cpuSecondsPer1000Cycles, 2)} vs ${fixed(tracker.cpuSecondsPer1000Cycles, 2)} and ${fixed(bare.cpuSecondsPer1000Cycles, 2)};`,
      `- requests per order ${fixed(infrequent.requestsPerOrder)} vs ${fixed(tracker.requestsPerOrder)}, p95 lag ${seconds(infrequent.lagMs.p95)} vs ${seconds(tracker.lagMs.p95)} wall;`,
      `- changes hit by the kill: p50 ${seconds(infrequent.recoveryLagMs?.p50 ?? Number.NaN)} vs ${seconds(tracker.recoveryLagMs?.p50 ?? Number.NaN)} (a retry needs no workflow task, so the dead worker's sticky queue does not hold it).`,
      '',
      `Worth adopting between status changes: the same cadence for ${fixed(tracker.cpuSecondsPer1000Cycles / infrequent.cpuSecondsPer1000Cycles)}× less CPU per cycle ` +
        `and ${fixed(events(tracker) / events(infrequent), 0)}× fewer history events, so the same server follows more orders. What it costs, and why it is not done yet: each poll is an attempt ` +
        'of one long activity, so the workflow no longer sees every poll (the `progress` query\'s `polls`, `lastPolledAt` and ' +
        '`nextPollAt`, and the UI\'s current details, would come from the pending activity instead); a push must cancel the ' +
        'pending attempt to be confirmed at once; and it is a change of workflow shape, so it goes behind `patched()` with new replay histories.',
      '',
    );
  }
  return lines.length === 0 ? '' : `## Why, and what would close the gaps\n\n${lines.join('\n')}\n`;
}

function requestsHeading(seed: ContenderResult): string {
  if (seed.requestsOfFollowedOrders !== undefined) return 'requests per order, over the orders both followed to the end';
  return seed.requestsPerFollowedOrderByProvider === undefined ? 'requests/order' : 'requests per order followed to the end';
}

function requestComparison(ours: ContenderResult, theirs: ContenderResult, provider: BenchProvider): string {
  const shared = sharedRequests(ours, theirs, provider);
  if (shared !== undefined) return `${fixed(shared.ours)} vs ${fixed(shared.theirs)} (${shared.orders} orders)`;
  return `${fixed(followedRequests(ours, provider))} vs ${fixed(followedRequests(theirs, provider))}`;
}

/**
 * OZZOBiT is asked every 5 s by every contender, so its requests per order show how long a cycle
 * really took: a plain loop sleeps and asks; a Temporal loop's cycle also holds two workflow tasks,
 * an activity task and a timer, whose wall time the time scale multiplies.
 */
function cycleNote(results: BenchResults): string {
  const seed = find(results, 'seed-loops');
  // Over the orders both followed to the end where recorded; else each contender's own figure.
  const pair = (name: string): { ours: number; theirs: number } =>
    sharedRequests(find(results, name), seed, 'ozzobit') ?? { ours: followedRequests(find(results, name), 'ozzobit'), theirs: followedRequests(seed, 'ozzobit') };
  const followedOnly = seed?.requestsPerFollowedOrderByProvider?.ozzobit !== undefined;
  const shared = seed?.requestsOfFollowedOrders !== undefined;
  if (Number.isNaN(followedRequests(seed, 'ozzobit'))) return '';
  // OZZOBiT's cadence is the floor itself.
  const cadenceWallMs = DEFAULT_SETTINGS.minRequestGapMs / results.options.timeScale;
  const cycle = (name: string): string => {
    const { ours, theirs } = pair(name);
    return `${name} ${fixed(ours)} against ${fixed(theirs)} (a cycle every ${seconds((cadenceWallMs * theirs) / ours)})`;
  };
  const temporal = ['order-tracker', 'temporal-bare-loop', 'temporal-infrequent'].filter((name) => find(results, name) !== undefined);
  const over = shared ? ' over the orders both followed to the end' : followedOnly ? ' over the orders each followed to the end' : '';
  return (
    `Where both ask at the same cadence the requests should be the same: at OZZOBiT's 5 s (${seconds(cadenceWallMs)} of wall time here), ` +
    `requests per order${over}, the seed loops' second: ${temporal.map(cycle).join(', ')}. ` +
    'A Temporal loop\'s cycle is the wait plus two workflow tasks, an activity task and a timer that fires no sooner than 1 s; ' +
    `on this shared machine that came to seconds of wall time, which the time scale multiplies by ${results.options.timeScale}: ` +
    'the activity+timer loops asked less often than their cadence, and their lag grew with it. Unscaled, the same overhead is ' +
    'a small part of a 5 s cadence. Retry-driven polling has no workflow task between attempts and keeps the cadence. '
  );
}

const CADENCE_NOTES: Record<BenchProvider, string> = {
  magma: "the seed's phase table (7.5 s / 45 s / 10 s) for both; order-tracker also polls when the phase's `timeout` passes",
  miraclecash: "5 s throughout for both (a raised MIRACLECASH_MAX_POLL backs off with the payment's age)",
  ozzobit: '5 s for both',
  houdini: '5 s without pushes (20–30 s by stage with them) vs 5 s (the seed describes only the push; its loop is our analogue)',
};
