/**
 * The one "is it newer" rule. A provider's statuses move forward along its lifecycle, which each
 * provider module writes down as a rank (terminal statuses outrank every in-flight one). Whatever
 * compares two of an order's statuses (the workflow with a push or a poll, the ingress's dedupe,
 * the client's start from a push) asks here. Workflow-safe: no I/O.
 */

/** A status's place in its order's lifecycle (an `Observation`, or what a store kept of one). */
export interface Ranked {
  rank: number;
}

/** Whether `next` says more than `held`: a step forward (anything is, when nothing is held). */
export function isNewer(held: Ranked | null | undefined, next: Ranked): boolean {
  return held == null || next.rank > held.rank;
}

/** Whether `next` is a step back from `held`: an older status, arriving late or replayed. */
export function isOlder(held: Ranked | null | undefined, next: Ranked): boolean {
  return held != null && next.rank < held.rank;
}
