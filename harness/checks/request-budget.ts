/**
 * A provider's request budget, read from what its simulator received: the busiest window of a given
 * length against budget × window (+ 1: the request at the window's edge), and which requests made
 * it, so a window over the budget names its requests (per-order polls, list pages, catch-up reads).
 */
import type { RequestLogEntry } from '../../sandbox/request-log';

/** The most entries of `times` (sorted) in any window of `windowMs` that starts at one of them. */
export function busiestWindow(times: readonly number[], windowMs: number): number {
  return busiestWindowAt(times, windowMs).count;
}

/** The busiest window's size and the index of its first entry (in `times`, sorted). */
export function busiestWindowAt(times: readonly number[], windowMs: number): { count: number; start: number } {
  let best = { count: 0, start: 0 };
  for (let start = 0, end = 0; start < times.length; start += 1) {
    while (end < times.length && (times[end] as number) < (times[start] as number) + windowMs) end += 1;
    if (end - start > best.count) best = { count: end - start, start };
  }
  return best;
}

/** The requests of the busiest window, one line each: offset from its first, operation, order or page. */
export function describeBusiestWindow(entries: readonly RequestLogEntry[], windowMs: number): string[] {
  const sorted = [...entries].sort((first, second) => first.at - second.at);
  const { count, start } = busiestWindowAt(sorted.map((entry) => entry.at), windowMs);
  const first = sorted[start]?.at ?? 0;
  return sorted.slice(start, start + count).map((entry) => {
    const what = entry.orderId ?? (entry.listed === undefined ? '' : `page of ${entry.listed.length}`);
    return `+${((entry.at - first) / 1000).toFixed(3)} s ${entry.operation} ${what} ${entry.httpStatus}`.trim();
  });
}

/** The smallest gap between two consecutive requests (ms); Infinity for fewer than two. */
export function smallestGap(times: readonly number[]): number {
  let smallest = Number.POSITIVE_INFINITY;
  for (let index = 1; index < times.length; index += 1) smallest = Math.min(smallest, (times[index] as number) - (times[index - 1] as number));
  return smallest;
}
