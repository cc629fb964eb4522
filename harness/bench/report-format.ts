/** Number formatting, look-ups and short notes shared by the report's sections. */
import type { ContenderResult } from './contender-figures';
import type { BenchResults } from './bench-results';
import type { LagSummary } from './metrics';
import { DEFAULT_SETTINGS } from '../../workflows/settings';

export const fixed = (value: number | undefined, digits = 1): string => (value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits));
export const seconds = (milliseconds: number): string => (Number.isNaN(milliseconds) ? '–' : `${(milliseconds / 1000).toFixed(2)} s`);
export const minutes = (milliseconds: number): string => (Number.isNaN(milliseconds) ? '–' : `${(milliseconds / 60_000).toFixed(1)} min`);

export function find(results: BenchResults, name: string): ContenderResult | undefined {
  return results.contenders.find((result) => result.name === name);
}

/** Temporal timers fire no sooner than about 1 s (measured on the dev server: a 50 ms sleep takes 1,000 ms). */
export const TIMER_RESOLUTION_MS = 1_000;

export function timerNote(timeScale: number): string {
  const floorMs = DEFAULT_SETTINGS.minRequestGapMs / timeScale;
  if (floorMs >= TIMER_RESOLUTION_MS) {
    return `At this scale the 5 s floor is ${fixed(floorMs, 0)} ms of wall time, at or above the Temporal timers' 1 s resolution, so every cadence is kept.`;
  }
  return `**At this scale the 5 s floor is ${fixed(floorMs, 0)} ms, below the Temporal timers' 1 s resolution: every Temporal wait under 1 s lasts 1 s, so the Temporal contenders poll less often than their cadence asks (fewer requests, more lag) while the plain loops keep it.**`;
}

/** Where a push's time went, when the run measured it (older results have no pushPathMs). */
export function pushPathNote(push: ContenderResult): string {
  const path = push.pushPathMs;
  if (path === undefined || path.toSignal.count === 0) return '';
  const range = (summary: LagSummary) => `${fixed(summary.p50, 0)} / ${fixed(summary.p95, 0)} ms`;
  return (
    `. Where it went (first push of each status, ${path.toSignal.count} pushes, p50 / p95): arrival at the ingress → signal in the order's history ${range(path.toSignal)}; ` +
    `signal → the workflow task that applied it ${range(path.toWorkflowTask)}`
  );
}

export type BenchProvider = 'magma' | 'miraclecash' | 'ozzobit' | 'houdini';

/** Requests per order over the orders followed to the end where recorded (a plain loop stops asking about those it forgot at the kill). */
export function followedRequests(result: ContenderResult | undefined, provider: BenchProvider): number {
  return result?.requestsPerFollowedOrderByProvider?.[provider] ?? result?.requestsPerOrderByProvider[provider] ?? Number.NaN;
}

/**
 * Requests per order of `ours` and `theirs` over the same orders: those both followed to the end
 * (runs before requestsOfFollowedOrders: undefined). A plain loop that lost its orders at the kill
 * followed mostly short ones to the end; over its own set alone it would look cheaper.
 */
export function sharedRequests(ours: ContenderResult | undefined, theirs: ContenderResult | undefined, provider: BenchProvider): { ours: number; theirs: number; orders: number } | undefined {
  const mine = ours?.requestsOfFollowedOrders?.[provider];
  const other = theirs?.requestsOfFollowedOrders?.[provider];
  if (mine === undefined || other === undefined) return undefined;
  const both = Object.keys(mine).filter((index) => other[index] !== undefined);
  if (both.length === 0) return undefined;
  const mean = (counts: Record<string, number>) => both.reduce((sum, index) => sum + (counts[index] ?? 0), 0) / both.length;
  return { ours: mean(mine), theirs: mean(other), orders: both.length };
}

/** One of the targets, met or missed, with the figures that say so. */
export interface Verdict {
  target: string;
  met: boolean | null;
  detail: string;
}
