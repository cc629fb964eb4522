/**
 * A provider's request slots, shared by every worker through the database they already share for
 * the ledger (a SQLite file or PostgreSQL, DATABASE_URL). One small table, `provider_request_slots`
 * (step 4 of the migrations): per provider, the earliest time the next request may go out.
 *
 * The server's rate limit on a poll queue hands out tasks at the budget, but two workers that start
 * tasks dispatched 2 s apart can send their requests closer together; pacing on one worker only
 * spaces that worker's own. Reserving the slot here spaces every worker's requests by 1/budget: one
 * statement per request, atomic on the provider's row. PostgreSQL's clock decides on PostgreSQL, so
 * workers on machines whose clocks differ still agree.
 */
import { FLOOR_ONLY_SHARD } from '../poll-group-members/member-store';
import type { ProviderName } from '../../domain/types';

/** The order a request is for, when it belongs to a poll group: its floor is kept in its member row. */
export interface OrderFloor {
  orderId: string;
  minGapMs: number;
  /** The request is the group's: the member row also records that its group looked at the order. */
  byGroup?: boolean;
}

/**
 * `reserved`: the request may go out after `waitMs`. Not reserved: the order's floor is not over
 * (another path asked it lately); ask again after `waitMs`, nothing was taken from the provider.
 */
export interface Reservation {
  waitMs: number;
  reserved: boolean;
}

export interface RequestSlots {
  /** Reserves the provider's next slot, `intervalMs` after the last one; resolves with how long to wait for it. */
  reserve(provider: ProviderName, intervalMs: number): Promise<number>;
  /**
   * The same for a request about one order of a poll group: the provider's slot only once the
   * order's floor (its last request, by any path and worker, plus `minGapMs`) is over by then, and
   * the slot becomes the order's last request. An order with no member row is paced like `reserve`.
   */
  reserveFor(provider: ProviderName, intervalMs: number, order: OrderFloor): Promise<Reservation>;
  /**
   * The request reserved for the order was answered at `at`: its floor counts from there (a slow
   * answer arrives later than its slot, and the provider counts from its arrival, not our slot).
   */
  answered(provider: ProviderName, orderId: string, at: number): Promise<void>;
}

/** An order with no row yet gets one that keeps its floor alone (no group lists it) for a month at most. */
export const FLOOR_ROW_SQL =
  'INSERT INTO poll_group_members (provider, order_id, shard, min_gap_ms, recheck_ms, deadline_ms, registered_ms, last_request_ms) ' +
  'VALUES ($1, $2, $3, $4, 0, $5, $6, $7) ON CONFLICT (provider, order_id) DO NOTHING';
const FLOOR_ROW_DAYS_MS = 31 * 24 * 3_600_000;

export function floorRowValues(provider: ProviderName, order: OrderFloor, now: number, slot: number): unknown[] {
  return [provider, order.orderId, FLOOR_ONLY_SHARD, Math.ceil(order.minGapMs), now + FLOOR_ROW_DAYS_MS, now, slot];
}

/** The pure rule both dialects apply: the provider's slot if the order's floor is over by then. */
export function decideReservation(now: number, nextSlotMs: number | null, lastRequestMs: number | null, minGapMs: number): { slot: number; reserved: boolean } {
  const slot = Math.max(now, nextSlotMs ?? now);
  const floorEnds = lastRequestMs === null ? 0 : lastRequestMs + minGapMs;
  return floorEnds > slot ? { slot: floorEnds, reserved: false } : { slot, reserved: true };
}
