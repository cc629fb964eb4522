/** Pure figures: detection lag from scripted change times and observed first-seen times, percentiles. */
import type { BenchOrder } from '../workload/corpus';

export interface Seen {
  status: string;
  /** Wall-clock ms at which the tracker knew the status. */
  at: number;
}

/** Nearest-rank percentile of an unsorted list; NaN for none. */
export function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((first, second) => first - second);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] as number;
}

/**
 * Lag of every scripted status change of one order (wall ms, in the scaled run): from the moment the
 * sandbox switched to step i until the tracker first knew a status of step i or later (a tracker that
 * skipped a short step learns of its change with the next one). Changes it never learned are `missed`.
 */
export function detectionLags(order: BenchOrder, createdAt: number, timeScale: number, seen: readonly Seen[]): { lags: number[]; missed: number; terminalLag?: number; changes: { at: number; knownAt?: number }[] } {
  const stepOf = new Map<string, number>();
  order.steps.forEach((step, index) => stepOf.set(step.status.toLowerCase(), index));
  const firstAtOrAfter: number[] = order.steps.map(() => Number.POSITIVE_INFINITY);
  for (const entry of seen) {
    const index = stepOf.get(entry.status.toLowerCase());
    if (index === undefined) continue;
    for (let earlier = 0; earlier <= index; earlier += 1) {
      firstAtOrAfter[earlier] = Math.min(firstAtOrAfter[earlier] as number, entry.at);
    }
  }
  const lags: number[] = [];
  let missed = 0;
  let changeAt = createdAt;
  let terminalLag: number | undefined;
  const changes: { at: number; knownAt?: number }[] = [];
  for (let index = 1; index < order.steps.length; index += 1) {
    changeAt += (order.steps[index - 1]?.durationMs ?? 0) / timeScale;
    const known = firstAtOrAfter[index] as number;
    changes.push({ at: changeAt, knownAt: Number.isFinite(known) ? known : undefined });
    if (!Number.isFinite(known)) {
      missed += 1;
      continue;
    }
    const lag = Math.max(0, known - changeAt);
    lags.push(lag);
    if (index === order.steps.length - 1) terminalLag = lag;
  }
  return { lags, missed, terminalLag, changes };
}

export interface LagSummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
}

export function summarize(values: readonly number[]): LagSummary {
  return { count: values.length, p50: percentile(values, 0.5), p95: percentile(values, 0.95), p99: percentile(values, 0.99) };
}
