/**
 * The harness's one seeded generator: every workload (the bench's corpus, the crash and fault runs'
 * planned orders) draws from `random(seed)`, so the same seed plays the same orders again. The
 * helpers draw exactly one number each: changing how many a workload draws changes its orders.
 */

export type Random = () => number;

/** mulberry32: a small seeded generator of numbers in [0, 1). */
export function random(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Uniform in [low, high). */
export const uniform = (rand: Random, low: number, high: number): number => low + rand() * (high - low);

/** Long-tailed: many short waits, a few long ones. */
export const logUniform = (rand: Random, low: number, high: number): number => Math.exp(uniform(rand, Math.log(low), Math.log(high)));

/** A whole number in [low, high]. */
export function between(rand: Random, low: number, high: number): number {
  return Math.round(low + rand() * (high - low));
}

export function pick<T>(rand: Random, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)] as T;
}
