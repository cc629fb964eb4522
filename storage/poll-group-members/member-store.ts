/**
 * Who is in which poll group, shared by every worker through the database they already share for
 * the ledger (a SQLite file or PostgreSQL, DATABASE_URL). One row per in-flight order that joined a
 * group (`poll_group_members`, step 6 of the migrations):
 *
 *   registered  by the order's first poll (activities: pollUntilChanged with `joinGroup`);
 *   polled      by its group, which keeps its status current (a restarted group reports only news);
 *   removed     when the order's outcome is recorded, or when its group finds its workflow closed.
 *
 * The row also holds the order's last request time, whoever made it (its group, its own poll, a
 * confirming poll after a push): request-slots/ reserves each request against it, so the 5 s
 * floor holds across every path and worker. `group_checked_ms` is when the group last looked at the
 * order (a request or a list page): the order's own watch reads it to know its group is working.
 *
 * Beside the members, one row per group's loop (`poll_group_loops`, step 7): the activity attempt
 * that runs the group (`owner`) and when it last said it was alive. A new attempt claims the row; an
 * older attempt still running learns from its next write that it was replaced, and stops.
 */
import type { ProviderName } from '../../domain/types';

export interface MemberState {
  status: string | null;
  rank: number | null;
  attention: string | null;
  /** The wait the provider module suggested after the last full answer (the member's cadence). */
  nextWaitMs: number | null;
}

export interface MemberRegistration extends MemberState {
  provider: ProviderName;
  orderId: string;
  shard: number;
  /** The order's floor and attention re-check (its workflow's settings, scaled in the sandbox). */
  minGapMs: number;
  recheckMs: number;
  pushesSeen: boolean;
  deadlineMs: number;
  /** When the registering poll asked the provider: the group's first request waits for its floor and cadence. */
  polledAt: number;
}

export interface MemberRow extends MemberRegistration {
  registeredMs: number;
  lastRequestMs: number | null;
  groupCheckedMs: number | null;
}

/** A group's loop as its row says: who runs it and when it last wrote. */
export interface LoopRow {
  groupId: string;
  owner: string;
  aliveMs: number;
}

export interface MemberStore {
  /** Adds the order to its group, or refreshes its row (keeping its group and request times). */
  register(member: MemberRegistration): Promise<void>;
  remove(provider: ProviderName, orderId: string): Promise<void>;
  list(provider: ProviderName, shard: number): Promise<MemberRow[]>;
  find(provider: ProviderName, orderId: string): Promise<MemberRow | undefined>;
  /** What the group last saw of the order (after it reported a change). */
  saveState(provider: ProviderName, orderId: string, state: MemberState): Promise<void>;
  /** A list page showed these orders at `at`: their group has looked at them. */
  markChecked(provider: ProviderName, orderIds: readonly string[], at: number): Promise<void>;
  setPushesSeen(provider: ProviderName, orderId: string): Promise<void>;
  /** Rows of orders whose deadline passed a day before `now` (a terminated workflow's, a floor-only row's). */
  removeExpired(now: number): Promise<void>;
  /** `owner` runs the group's loop from now on, alive at `at`. */
  claimLoop(groupId: string, owner: string, at: number): Promise<void>;
  /** The loop is alive at `at`; false (nothing written) when another owner has claimed the group since. */
  loopAlive(groupId: string, owner: string, at: number): Promise<boolean>;
  findLoop(groupId: string): Promise<LoopRow | undefined>;
}

export interface LoopTableRow {
  group_id: string;
  owner: string;
  alive_ms: number | string;
}
export const fromLoopRow = (row: LoopTableRow): LoopRow => ({ groupId: row.group_id, owner: row.owner, aliveMs: Number(row.alive_ms) });
export const CLAIM_LOOP_SQL =
  'INSERT INTO poll_group_loops (group_id, owner, alive_ms) VALUES ({1}, {2}, {3}) ON CONFLICT (group_id) DO UPDATE SET owner = excluded.owner, alive_ms = excluded.alive_ms';
export const LOOP_ALIVE_SQL = 'UPDATE poll_group_loops SET alive_ms = {1} WHERE group_id = {2} AND owner = {3}';
export const FIND_LOOP_SQL = 'SELECT group_id, owner, alive_ms FROM poll_group_loops WHERE group_id = {1}';

export const COLUMNS =
  'provider, order_id, shard, status, rank, attention, next_wait_ms, min_gap_ms, recheck_ms, pushes_seen, deadline_ms, registered_ms, last_request_ms, group_checked_ms';

export interface Row {
  provider: string;
  order_id: string;
  shard: number | string;
  status: string | null;
  rank: number | string | null;
  attention: string | null;
  next_wait_ms: number | string | null;
  min_gap_ms: number | string;
  recheck_ms: number | string;
  pushes_seen: number | string;
  deadline_ms: number | string;
  registered_ms: number | string;
  last_request_ms: number | string | null;
  group_checked_ms: number | string | null;
}

/** An order still tracked a day after its deadline is gone (its last poll at the deadline took a minute). */
export const EXPIRED_AFTER_MS = 24 * 3_600_000;

const numberOrNull = (value: number | string | null): number | null => (value === null ? null : Number(value));
export function fromRow(row: Row): MemberRow {
  const lastRequestMs = numberOrNull(row.last_request_ms);
  return {
    provider: row.provider as ProviderName,
    orderId: row.order_id,
    shard: Number(row.shard),
    status: row.status,
    rank: numberOrNull(row.rank),
    attention: row.attention,
    nextWaitMs: numberOrNull(row.next_wait_ms),
    minGapMs: Number(row.min_gap_ms),
    recheckMs: Number(row.recheck_ms),
    pushesSeen: Number(row.pushes_seen) !== 0,
    deadlineMs: Number(row.deadline_ms),
    registeredMs: Number(row.registered_ms),
    polledAt: lastRequestMs ?? Number(row.registered_ms),
    lastRequestMs,
    groupCheckedMs: numberOrNull(row.group_checked_ms),
  };
}

/** The registration's values in column order (`$n` / `?` placeholders alike); `registered_ms` is now. */
export function registrationValues(member: MemberRegistration): unknown[] {
  return [
    member.provider,
    member.orderId,
    member.shard,
    member.status,
    member.rank,
    member.attention,
    member.nextWaitMs,
    Math.ceil(member.minGapMs),
    Math.ceil(member.recheckMs),
    member.pushesSeen ? 1 : 0,
    Math.ceil(member.deadlineMs),
    Date.now(),
    Math.ceil(member.polledAt),
  ];
}

/**
 * A row that only keeps an order's floor: an order of the poll-groups shape whose provider has no
 * group on the worker that asked (request-slots.ts writes it; no group lists it).
 */
export const FLOOR_ONLY_SHARD = -1;

// A refreshed row keeps its registration time and the latest request time either side saw.
export const UPSERT_TAIL =
  'ON CONFLICT (provider, order_id) DO UPDATE SET shard = excluded.shard, status = excluded.status, rank = excluded.rank, attention = excluded.attention, ' +
  'next_wait_ms = excluded.next_wait_ms, min_gap_ms = excluded.min_gap_ms, recheck_ms = excluded.recheck_ms, ' +
  'pushes_seen = CASE WHEN excluded.pushes_seen > poll_group_members.pushes_seen THEN excluded.pushes_seen ELSE poll_group_members.pushes_seen END, ' +
  'deadline_ms = excluded.deadline_ms, ' +
  'last_request_ms = CASE WHEN poll_group_members.last_request_ms IS NULL OR excluded.last_request_ms > poll_group_members.last_request_ms ' +
  'THEN excluded.last_request_ms ELSE poll_group_members.last_request_ms END';

export const STATE_SET = 'SET status = {1}, rank = {2}, attention = {3}, next_wait_ms = {4} WHERE provider = {5} AND order_id = {6}';

export function placeholders(sql: string, dialect: 'sqlite' | 'postgres'): string {
  return sql.replace(/\{(\d+)\}/g, (_match, index: string) => (dialect === 'sqlite' ? '?' : `$${index}`));
}
