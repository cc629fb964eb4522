import type { ProviderName } from '../domain/types';
import type { OrderFloor, RequestSlots } from '../storage/request-slots/request-slots';

/**
 * Histogram (ms) of how long a poll waited for its provider on this worker, by `cause`: `pacing`
 * (the provider's next request slot) or `retry_after` (a 429 paused the provider; the poll is retried
 * after it). The wait on the poll queue, the server's share of the budget, is
 * `order_tracker_poll_schedule_to_start_latency`.
 */
export const RATE_BUDGET_WAIT_METRIC = 'order_tracker_rate_budget_wait';

/**
 * A reservation is one small statement: one that has not come back within this meets a hung or
 * unreachable database, and the request is paced on this worker instead (issue 29, R11).
 */
export const SHARED_SLOT_DEADLINE_MS = 1_000;

/**
 * A request whose wait for its slot ended later than this (a busy event loop, a stalled process)
 * takes the next free slot instead of going out late: sent late, it lands closer to the requests
 * of the slots after it than the budget allows (the cluster test saw 16 requests in 30 s at a
 * budget of 0.5/s, gaps of 1.6 s). Half an interval; at least this many ms for high budgets.
 */
const MIN_LATENESS_TOLERANCE_MS = 25;
/** A process this slow sends after this many fresh slots all the same (and says so). */
const MAX_SLOTS_RETAKEN = 5;

/** The spacing of a provider's requests at `requestsPerSecond`: a little over 1/budget. */
export function requestIntervalFor(requestsPerSecond: number): number {
  return 1000 / requestsPerSecond + 5;
}

/**
 * Per provider: the back-off after a 429 (on this worker) and the pacing of requests.
 *
 * The server's rate limit on each poll queue is the provider's budget across all workers, but it
 * hands out tasks, not requests: a busy worker can start two tasks' requests together, and two
 * workers can send theirs closer than the tasks were dispatched. Pacing spaces requests by
 * 1/budget: across every worker through the shared request slots (request-slots.ts) when the worker
 * has them, else this worker's own. A database that cannot be reached for a reservation falls back to
 * this worker's pacing for that request (logged): a blip slows no order, and the server's limit holds.
 * After a 429, every order of that provider waits until its Retry-After has passed.
 */
export class ProviderGate {
  private readonly pausedUntil = new Map<ProviderName, number>();
  private readonly nextSlot = new Map<ProviderName, number>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly shared?: RequestSlots,
    private readonly warn: (message: string, fields: Record<string, unknown>) => void = () => undefined,
  ) {}

  pause(provider: ProviderName, retryAfterMs: number): void {
    const until = this.now() + retryAfterMs;
    if (until > (this.pausedUntil.get(provider) ?? 0)) this.pausedUntil.set(provider, until);
  }

  /** Milliseconds until the provider may be asked again after a 429 (0 when it may be now). */
  remaining(provider: ProviderName): number {
    return Math.max(0, (this.pausedUntil.get(provider) ?? 0) - this.now());
  }

  /** Reserves the provider's next request slot `intervalMs` after the last; resolves with how long to wait for it. */
  async reserve(provider: ProviderName, intervalMs: number): Promise<number> {
    if (this.shared !== undefined) {
      try {
        return await withinDeadline(this.shared.reserve(provider, intervalMs), SHARED_SLOT_DEADLINE_MS);
      } catch (error) {
        this.warn('shared request slots unavailable; pacing this request on this worker only', { provider, error: String(error) });
      }
    }
    return this.reserveHere(provider, intervalMs);
  }

  /**
   * Reserves a request about one order of a poll group: the provider's slot once the order's floor
   * (kept in the shared database, whichever path asked last) allows it. Resolves with how long to wait
   * for the slot; waits out the floor itself first (unless `signal` aborts). Without shared slots, or
   * when they fail, this worker's pacing alone: the group's memory keeps its orders' floors, and an
   * order's own waits keep its floor in workflow time (follow-changes.ts).
   */
  async reserveFor(provider: ProviderName, intervalMs: number, order: OrderFloor, signal?: AbortSignal): Promise<number> {
    const shared = this.shared;
    if (shared !== undefined) {
      try {
        for (;;) {
          const reservation = await withinDeadline(shared.reserveFor(provider, intervalMs, order), SHARED_SLOT_DEADLINE_MS);
          if (reservation.reserved || signal?.aborted === true) return Math.max(0, reservation.waitMs);
          await sleepUnlessAborted(reservation.waitMs, signal);
        }
      } catch (error) {
        this.warn('shared request slots unavailable; pacing this request on this worker only', { provider, error: String(error) });
      }
    }
    return this.reserveHere(provider, intervalMs);
  }

  /**
   * Reserves the provider's next slot (and, for a grouped order, its floor: `reserveFor`) and waits
   * for it. A wait that ends more than half an interval late takes a fresh slot of the provider
   * rather than sending late (the order's floor was kept by the first). Resolves with the waits the
   * slots asked for (what the pacing metric records), not counting the lateness.
   */
  async waitForSlot(provider: ProviderName, intervalMs: number, order?: OrderFloor, signal?: AbortSignal): Promise<number> {
    let waitMs = order === undefined ? await this.reserve(provider, intervalMs) : await this.reserveFor(provider, intervalMs, order, signal);
    let waited = 0;
    for (let retaken = 0; ; retaken += 1) {
      waited += waitMs;
      const slotAt = this.now() + waitMs;
      await sleepUnlessAborted(waitMs, signal);
      const lateMs = this.now() - slotAt;
      if (intervalMs <= 0 || signal?.aborted === true || lateMs <= Math.max(intervalMs / 2, MIN_LATENESS_TOLERANCE_MS)) break;
      if (retaken >= MAX_SLOTS_RETAKEN) {
        this.warn('request sent late for its slot: this process is too busy to keep the provider\'s budget exactly', { provider, lateMs });
        break;
      }
      waitMs = await this.reserve(provider, intervalMs);
    }
    return waited;
  }

  /** An order's request was answered at `at`: its floor counts from there, for every path and worker. */
  answered(provider: ProviderName, orderId: string, at: number): void {
    this.shared?.answered(provider, orderId, at).catch((error: unknown) => {
      this.warn('could not note a request\'s answer in the shared request slots', { provider, error: String(error) });
    });
  }

  private reserveHere(provider: ProviderName, intervalMs: number): number {
    const now = this.now();
    const slot = Math.max(now, this.nextSlot.get(provider) ?? 0);
    this.nextSlot.set(provider, slot + intervalMs);
    return slot - now;
  }
}

/** Resolves after `milliseconds`, or at once when `signal` aborts. */
export function sleepUnlessAborted(milliseconds: number, signal?: AbortSignal): Promise<void> {
  if (milliseconds <= 0 || signal?.aborted === true) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, milliseconds);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function withinDeadline<T>(work: Promise<T>, deadlineMs: number): Promise<T> {
  work.catch(() => undefined); // may still fail after the deadline answered: nobody waits for it then
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${deadlineMs} ms`)), deadlineMs);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
