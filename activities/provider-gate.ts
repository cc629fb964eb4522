import type { ProviderName } from '../workflows/types';

/**
 * Histogram (ms) of how long a poll waited for its provider on this worker, by `cause`: `pacing`
 * (the provider's next request slot) or `retry_after` (a 429 paused the provider; the poll is retried
 * after it). The wait on the poll queue, the server's share of the budget, is
 * `order_tracker_poll_schedule_to_start_latency`.
 */
export const RATE_BUDGET_WAIT_METRIC = 'order_tracker_rate_budget_wait';

/**
 * Per provider, on this worker: the back-off after a 429 and the pacing of requests.
 *
 * The server's rate limit on each poll queue is the provider's budget across all workers, but it
 * hands out tasks, not requests: a busy worker can start two tasks' requests together. Pacing here
 * spaces one worker's requests by 1/budget, so what reaches the provider keeps the budget.
 * After a 429, every order of that provider waits until its Retry-After has passed.
 */
export class ProviderGate {
  private readonly pausedUntil = new Map<ProviderName, number>();
  private readonly nextSlot = new Map<ProviderName, number>();

  constructor(private readonly now: () => number = Date.now) {}

  pause(provider: ProviderName, retryAfterMs: number): void {
    const until = this.now() + retryAfterMs;
    if (until > (this.pausedUntil.get(provider) ?? 0)) this.pausedUntil.set(provider, until);
  }

  /** Milliseconds until the provider may be asked again after a 429 (0 when it may be now). */
  remaining(provider: ProviderName): number {
    return Math.max(0, (this.pausedUntil.get(provider) ?? 0) - this.now());
  }

  /** Reserves the provider's next request slot `intervalMs` after the last; returns how long to wait for it. */
  reserve(provider: ProviderName, intervalMs: number): number {
    const now = this.now();
    const slot = Math.max(now, this.nextSlot.get(provider) ?? 0);
    this.nextSlot.set(provider, slot + intervalMs);
    return slot - now;
  }
}
