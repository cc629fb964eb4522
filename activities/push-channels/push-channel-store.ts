/**
 * The push channels' states, shared by the ingress (which writes them) and the workers (which read
 * them) through the database they already share for the ledger: a SQLite file or PostgreSQL
 * (DATABASE_URL). One small table of its own, `push_channels`, one row per provider, each with the
 * lease its writer renews (`expires_at`, push-channel-state.ts): a row whose lease ran out reads as
 * `down`. On PostgreSQL the database's clock sets and judges the lease, so an ingress and workers
 * whose clocks differ still agree; a SQLite file is shared by processes of one machine and clock.
 */
import Database from 'better-sqlite3';
import { inTransaction, logToStderr, openPostgresPool } from '../postgres-pool';
import { PROVIDER_NAMES, type ProviderName } from '../../domain/types';
import { LEASE_EXPIRED_REASON, PUSH_CHANNEL_LEASE_MS, PUSH_CHANNEL_STATES, type PushChannelState, type PushChannelStatus } from './push-channel-state';

export interface PushChannelStore {
  /** Writes the state with a lease of `leaseMs` (PUSH_CHANNEL_LEASE_MS) from now. */
  write(status: PushChannelStatus, leaseMs?: number): Promise<void>;
  /** Every provider's last reported state (`down` once its lease ran out); a provider no ingress ever reported is absent. */
  readAll(): Promise<PushChannelStatus[]>;
  close(): Promise<void>;
}

interface Row {
  provider: string;
  state: string;
  reason: string | null;
  since: number | string;
  /** Whether the lease is still running, judged by the database's clock (PostgreSQL) or this machine's. */
  live: boolean | number | null;
}

function fromRow(row: Row): PushChannelStatus | undefined {
  if (!PROVIDER_NAMES.includes(row.provider as ProviderName)) return undefined;
  if (!PUSH_CHANNEL_STATES.includes(row.state as PushChannelState)) return undefined;
  const status = { provider: row.provider as ProviderName, state: row.state as PushChannelState, reason: row.reason, since: Number(row.since) };
  // A row without a running lease (a writer killed, or one from before leases) promises nothing.
  if (!row.live && status.state !== 'down') return { ...status, state: 'down', reason: LEASE_EXPIRED_REASON };
  return status;
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS push_channels (
  provider TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  reason TEXT,
  since BIGINT NOT NULL,
  expires_at BIGINT
)`;

/** `sqlite:<file>` or `postgres://…`, as the ledger's DATABASE_URL. */
export async function openPushChannelStore(databaseUrl: string): Promise<PushChannelStore> {
  if (databaseUrl.startsWith('sqlite:')) return openSqliteStore(databaseUrl.slice('sqlite:'.length));
  return openPostgresStore(databaseUrl);
}

function openSqliteStore(file: string): PushChannelStore {
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  database.exec(CREATE_TABLE);
  // A table made before leases gains the column (its rows read as expired until rewritten).
  const columns = database.prepare('PRAGMA table_info(push_channels)').all() as { name: string }[];
  if (!columns.some((column) => column.name === 'expires_at')) database.exec('ALTER TABLE push_channels ADD COLUMN expires_at BIGINT');
  const upsert = database.prepare(
    'INSERT INTO push_channels (provider, state, reason, since, expires_at) VALUES (@provider, @state, @reason, @since, @expiresAt) ' +
      'ON CONFLICT(provider) DO UPDATE SET state = excluded.state, reason = excluded.reason, since = excluded.since, expires_at = excluded.expires_at',
  );
  const selectAll = database.prepare('SELECT provider, state, reason, since, expires_at > @now AS live FROM push_channels');
  return {
    async write(status, leaseMs = PUSH_CHANNEL_LEASE_MS) {
      upsert.run({ ...status, expiresAt: Date.now() + leaseMs });
    },
    async readAll() {
      return (selectAll.all({ now: Date.now() }) as Row[]).flatMap((row) => fromRow(row) ?? []);
    },
    async close() {
      database.close();
    },
  };
}

/** PostgreSQL's clock, in epoch milliseconds: the one clock every writer and reader of a lease shares. */
const DATABASE_NOW_MS = '(extract(epoch FROM clock_timestamp()) * 1000)::bigint';

/** The ledger's schema lock is 424242 (ledger/postgres-migrations.ts); this table has its own. */
const PUSH_CHANNELS_SCHEMA_LOCK = 424243;

async function openPostgresStore(connectionString: string): Promise<PushChannelStore> {
  const pool = openPostgresPool(connectionString, 2, 'push channels');
  // Workers and the ingress start together: two concurrent CREATE TABLE IF NOT EXISTS can both miss
  // the table and the second fails ("type push_channels already exists"). The lock puts them in turn.
  await inTransaction(pool, 'push channels', logToStderr, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [PUSH_CHANNELS_SCHEMA_LOCK]);
    await client.query(CREATE_TABLE);
    await client.query('ALTER TABLE push_channels ADD COLUMN IF NOT EXISTS expires_at BIGINT');
  });
  return {
    async write(status, leaseMs = PUSH_CHANNEL_LEASE_MS) {
      await pool.query(
        `INSERT INTO push_channels (provider, state, reason, since, expires_at) VALUES ($1, $2, $3, $4, ${DATABASE_NOW_MS} + $5) ` +
          'ON CONFLICT (provider) DO UPDATE SET state = excluded.state, reason = excluded.reason, since = excluded.since, expires_at = excluded.expires_at',
        [status.provider, status.state, status.reason, status.since, Math.ceil(leaseMs)],
      );
    },
    async readAll() {
      const result = await pool.query<Row>(`SELECT provider, state, reason, since, COALESCE(expires_at > ${DATABASE_NOW_MS}, false) AS live FROM push_channels`);
      return result.rows.flatMap((row) => fromRow(row) ?? []);
    },
    async close() {
      await pool.end();
    },
  };
}
