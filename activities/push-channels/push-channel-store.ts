/**
 * The push channels' states, shared by the ingress (which writes them) and the workers (which read
 * them) through the database they already share for the ledger: a SQLite file or PostgreSQL
 * (DATABASE_URL). One small table of its own, `push_channels`, one row per provider.
 */
import Database from 'better-sqlite3';
import { inTransaction, logToStderr, openPostgresPool } from '../postgres-pool';
import { PROVIDER_NAMES, type ProviderName } from '../../domain/types';
import { PUSH_CHANNEL_STATES, type PushChannelState, type PushChannelStatus } from './push-channel-state';

export interface PushChannelStore {
  write(status: PushChannelStatus): Promise<void>;
  /** Every provider's last reported state; a provider no ingress ever reported is absent. */
  readAll(): Promise<PushChannelStatus[]>;
  close(): Promise<void>;
}

interface Row {
  provider: string;
  state: string;
  reason: string | null;
  since: number | string;
}

function fromRow(row: Row): PushChannelStatus | undefined {
  if (!PROVIDER_NAMES.includes(row.provider as ProviderName)) return undefined;
  if (!PUSH_CHANNEL_STATES.includes(row.state as PushChannelState)) return undefined;
  return { provider: row.provider as ProviderName, state: row.state as PushChannelState, reason: row.reason, since: Number(row.since) };
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS push_channels (
  provider TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  reason TEXT,
  since BIGINT NOT NULL
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
  const upsert = database.prepare(
    'INSERT INTO push_channels (provider, state, reason, since) VALUES (@provider, @state, @reason, @since) ' +
      'ON CONFLICT(provider) DO UPDATE SET state = excluded.state, reason = excluded.reason, since = excluded.since',
  );
  const selectAll = database.prepare('SELECT provider, state, reason, since FROM push_channels');
  return {
    async write(status) {
      upsert.run(status);
    },
    async readAll() {
      return (selectAll.all() as Row[]).flatMap((row) => fromRow(row) ?? []);
    },
    async close() {
      database.close();
    },
  };
}

/** The ledger's schema lock is 424242 (ledger/postgres-migrations.ts); this table has its own. */
const PUSH_CHANNELS_SCHEMA_LOCK = 424243;

async function openPostgresStore(connectionString: string): Promise<PushChannelStore> {
  const pool = openPostgresPool(connectionString, 2, 'push channels');
  // Workers and the ingress start together: two concurrent CREATE TABLE IF NOT EXISTS can both miss
  // the table and the second fails ("type push_channels already exists"). The lock puts them in turn.
  await inTransaction(pool, 'push channels', logToStderr, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [PUSH_CHANNELS_SCHEMA_LOCK]);
    await client.query(CREATE_TABLE);
  });
  return {
    async write(status) {
      await pool.query(
        'INSERT INTO push_channels (provider, state, reason, since) VALUES ($1, $2, $3, $4) ' +
          'ON CONFLICT (provider) DO UPDATE SET state = excluded.state, reason = excluded.reason, since = excluded.since',
        [status.provider, status.state, status.reason, status.since],
      );
    },
    async readAll() {
      const result = await pool.query<Row>('SELECT provider, state, reason, since FROM push_channels');
      return result.rows.flatMap((row) => fromRow(row) ?? []);
    },
    async close() {
      await pool.end();
    },
  };
}
