/**
 * A provider's request slots, shared by every worker through the database they already share for
 * the ledger (a SQLite file or PostgreSQL, DATABASE_URL). One small table, `provider_request_slots`:
 * per provider, the earliest time the next request may go out.
 *
 * The server's rate limit on a poll queue hands out tasks at the budget, but two workers that start
 * tasks dispatched 2 s apart can send their requests closer together; pacing on one worker only
 * spaces that worker's own. Reserving the slot here spaces every worker's requests by 1/budget: one
 * statement per request, atomic on the provider's row. PostgreSQL's clock decides on PostgreSQL, so
 * workers on machines whose clocks differ still agree.
 */
import Database from 'better-sqlite3';
import { CREATE_MEMBERS_TABLE, FLOOR_ONLY_SHARD, MEMBERS_SCHEMA_LOCK } from './poll-groups/member-store';
import type { DatabaseErrorLog } from './database-error-log';
import { inTransaction, logToStderr, openPostgresPool } from './postgres-pool';
import type { ProviderName } from '../domain/types';

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
  close(): Promise<void>;
}

/** An order with no row yet gets one that keeps its floor alone (no group lists it) for a month at most. */
const FLOOR_ROW_SQL =
  'INSERT INTO poll_group_members (provider, order_id, shard, min_gap_ms, recheck_ms, deadline_ms, registered_ms, last_request_ms) ' +
  'VALUES ($1, $2, $3, $4, 0, $5, $6, $7) ON CONFLICT (provider, order_id) DO NOTHING';
const FLOOR_ROW_DAYS_MS = 31 * 24 * 3_600_000;

function floorRowValues(provider: ProviderName, order: OrderFloor, now: number, slot: number): unknown[] {
  return [provider, order.orderId, FLOOR_ONLY_SHARD, Math.ceil(order.minGapMs), now + FLOOR_ROW_DAYS_MS, now, slot];
}

/** The pure rule both dialects apply: the provider's slot if the order's floor is over by then. */
export function decideReservation(now: number, nextSlotMs: number | null, lastRequestMs: number | null, minGapMs: number): { slot: number; reserved: boolean } {
  const slot = Math.max(now, nextSlotMs ?? now);
  const floorEnds = lastRequestMs === null ? 0 : lastRequestMs + minGapMs;
  return floorEnds > slot ? { slot: floorEnds, reserved: false } : { slot, reserved: true };
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS provider_request_slots (
  provider TEXT PRIMARY KEY,
  next_slot_ms BIGINT NOT NULL
)`;

/** `sqlite:<file>` or `postgres://…`, as the ledger's DATABASE_URL. */
export async function openRequestSlots(databaseUrl: string, logError: DatabaseErrorLog = logToStderr): Promise<RequestSlots> {
  if (databaseUrl.startsWith('sqlite:')) return openSqliteSlots(databaseUrl.slice('sqlite:'.length));
  return openPostgresSlots(databaseUrl, logError);
}

function openSqliteSlots(file: string): RequestSlots {
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  // A slot is worthless after a crash: this connection's commits need no fsync (the ledger's own
  // connection keeps its durability; NORMAL in WAL mode cannot corrupt the file).
  database.pragma('synchronous = NORMAL');
  database.exec(CREATE_TABLE);
  database.exec(CREATE_MEMBERS_TABLE);
  // Workers sharing a SQLite file share this machine's clock.
  const reserve = database.prepare<{ provider: string; now: number; interval: number }, { next_slot_ms: number }>(
    'INSERT INTO provider_request_slots (provider, next_slot_ms) VALUES (@provider, @now + @interval) ' +
      'ON CONFLICT(provider) DO UPDATE SET next_slot_ms = MAX(next_slot_ms, @now) + @interval RETURNING next_slot_ms',
  );
  const providerSlot = database.prepare<[string], { next_slot_ms: number }>('SELECT next_slot_ms FROM provider_request_slots WHERE provider = ?');
  const member = database.prepare<[string, string], { last_request_ms: number | null }>(
    'SELECT last_request_ms FROM poll_group_members WHERE provider = ? AND order_id = ?',
  );
  const takeSlot = database.prepare(
    'INSERT INTO provider_request_slots (provider, next_slot_ms) VALUES (?, ?) ON CONFLICT(provider) DO UPDATE SET next_slot_ms = excluded.next_slot_ms',
  );
  const markRequest = database.prepare('UPDATE poll_group_members SET last_request_ms = ?, group_checked_ms = CASE WHEN ? = 1 THEN ? ELSE group_checked_ms END WHERE provider = ? AND order_id = ?');
  const markAnswer = database.prepare('UPDATE poll_group_members SET last_request_ms = MAX(COALESCE(last_request_ms, 0), ?) WHERE provider = ? AND order_id = ?');
  const floorRow = database.prepare(FLOOR_ROW_SQL.replace(/\$\d+/g, '?'));
  // One immediate transaction: the floor read and the slot taken cannot interleave with another worker's.
  const reserveFor = database.transaction((provider: ProviderName, intervalMs: number, order: OrderFloor): Reservation => {
    const now = Date.now();
    const row = member.get(provider, order.orderId);
    const decision = decideReservation(now, providerSlot.get(provider)?.next_slot_ms ?? null, row?.last_request_ms ?? null, order.minGapMs);
    if (decision.reserved) {
      takeSlot.run(provider, decision.slot + Math.ceil(intervalMs));
      if (row === undefined) floorRow.run(...floorRowValues(provider, order, now, decision.slot));
      else markRequest.run(decision.slot, order.byGroup ? 1 : 0, decision.slot, provider, order.orderId);
    }
    return { waitMs: decision.slot - now, reserved: decision.reserved };
  });
  return {
    async reserve(provider, intervalMs) {
      const now = Date.now();
      const row = reserve.get({ provider, now, interval: Math.ceil(intervalMs) });
      return Math.max(0, Number(row?.next_slot_ms ?? now) - Math.ceil(intervalMs) - now);
    },
    async reserveFor(provider, intervalMs, order) {
      return reserveFor.immediate(provider, intervalMs, order);
    },
    async answered(provider, orderId, at) {
      markAnswer.run(Math.ceil(at), provider, orderId);
    },
    async close() {
      database.close();
    },
  };
}

const POSTGRES_NOW = '(extract(epoch FROM clock_timestamp()) * 1000)::bigint';

async function openPostgresSlots(connectionString: string, logError: DatabaseErrorLog): Promise<RequestSlots> {
  const pool = openPostgresPool(connectionString, 4, 'request slots', logError);
  // Workers start together: two concurrent CREATE TABLE IF NOT EXISTS can both miss the table and
  // the second dies ("duplicate key value violates pg_type_typname_nsp_index", the cluster test's
  // worker at start). The lock puts them in turn; member-store.ts takes the same one.
  await inTransaction(pool, 'request slots', logError, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MEMBERS_SCHEMA_LOCK]);
    await client.query(CREATE_TABLE);
    await client.query(CREATE_MEMBERS_TABLE);
  });
  // The row lock of ON CONFLICT serialises concurrent reservations of one provider.
  const statement =
    'WITH clock AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now) ' +
    'INSERT INTO provider_request_slots AS slots (provider, next_slot_ms) SELECT $1, now + $2 FROM clock ' +
    'ON CONFLICT (provider) DO UPDATE SET next_slot_ms = GREATEST(slots.next_slot_ms, (SELECT now FROM clock)) + $2 ' +
    'RETURNING next_slot_ms - $2 - (SELECT now FROM clock) AS wait_ms';
  return {
    async reserve(provider, intervalMs) {
      const result = await pool.query<{ wait_ms: string }>(statement, [provider, Math.ceil(intervalMs)]);
      return Math.max(0, Number(result.rows[0]?.wait_ms ?? 0));
    },
    async reserveFor(provider, intervalMs, order) {
      // The member's row lock first, then the provider's: every reservation takes them in that order.
      return inTransaction(pool, 'request slots', logError, async (client) => {
        const member = await client.query<{ last_request_ms: string | null; now: string }>(
          `SELECT last_request_ms, ${POSTGRES_NOW} AS now FROM poll_group_members WHERE provider = $1 AND order_id = $2 FOR UPDATE`,
          [provider, order.orderId],
        );
        await client.query('INSERT INTO provider_request_slots (provider, next_slot_ms) VALUES ($1, 0) ON CONFLICT (provider) DO NOTHING', [provider]);
        const slot = await client.query<{ next_slot_ms: string; now: string }>(
          `SELECT next_slot_ms, ${POSTGRES_NOW} AS now FROM provider_request_slots WHERE provider = $1 FOR UPDATE`,
          [provider],
        );
        const now = Number(slot.rows[0]?.now ?? member.rows[0]?.now ?? Date.now());
        const last = member.rows[0]?.last_request_ms;
        const decision = decideReservation(now, Number(slot.rows[0]?.next_slot_ms ?? 0), last === null || last === undefined ? null : Number(last), order.minGapMs);
        if (decision.reserved && member.rows.length === 0) {
          await client.query('UPDATE provider_request_slots SET next_slot_ms = $2 WHERE provider = $1', [provider, decision.slot + Math.ceil(intervalMs)]);
          await client.query(FLOOR_ROW_SQL, floorRowValues(provider, order, now, decision.slot));
        } else if (decision.reserved) {
          await client.query('UPDATE provider_request_slots SET next_slot_ms = $2 WHERE provider = $1', [provider, decision.slot + Math.ceil(intervalMs)]);
          await client.query(
            'UPDATE poll_group_members SET last_request_ms = $3, group_checked_ms = CASE WHEN $4 THEN $3 ELSE group_checked_ms END WHERE provider = $1 AND order_id = $2',
            [provider, order.orderId, decision.slot, order.byGroup === true],
          );
        }
        return { waitMs: decision.slot - now, reserved: decision.reserved };
      });
    },
    async answered(provider, orderId, at) {
      // The worker's clock, as the floor is waited out on it; PostgreSQL's only orders the slots.
      await pool.query('UPDATE poll_group_members SET last_request_ms = GREATEST(COALESCE(last_request_ms, 0), $3) WHERE provider = $1 AND order_id = $2', [provider, orderId, Math.ceil(at)]);
    },
    async close() {
      await pool.end();
    },
  };
}
