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
import type { DatabaseErrorLog } from './database-error-log';
import { logToStderr, openPostgresPool } from './postgres-pool';
import type { ProviderName } from '../domain/types';

export interface RequestSlots {
  /** Reserves the provider's next slot, `intervalMs` after the last one; resolves with how long to wait for it. */
  reserve(provider: ProviderName, intervalMs: number): Promise<number>;
  close(): Promise<void>;
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
  // Workers sharing a SQLite file share this machine's clock.
  const reserve = database.prepare<{ provider: string; now: number; interval: number }, { next_slot_ms: number }>(
    'INSERT INTO provider_request_slots (provider, next_slot_ms) VALUES (@provider, @now + @interval) ' +
      'ON CONFLICT(provider) DO UPDATE SET next_slot_ms = MAX(next_slot_ms, @now) + @interval RETURNING next_slot_ms',
  );
  return {
    async reserve(provider, intervalMs) {
      const now = Date.now();
      const row = reserve.get({ provider, now, interval: Math.ceil(intervalMs) });
      return Math.max(0, Number(row?.next_slot_ms ?? now) - Math.ceil(intervalMs) - now);
    },
    async close() {
      database.close();
    },
  };
}

async function openPostgresSlots(connectionString: string, logError: DatabaseErrorLog): Promise<RequestSlots> {
  const pool = openPostgresPool(connectionString, 2, 'request slots', logError);
  await pool.query(CREATE_TABLE);
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
    async close() {
      await pool.end();
    },
  };
}
