import type { PoolClient } from 'pg';

/**
 * The ledger's schema on PostgreSQL, one numbered step after another; a step's number names the same
 * schema on SQLite (sqlite-migrations.ts). A new step goes at the end of both lists, and a step that
 * has shipped is never changed.
 *
 * The PostgreSQL ledger was born with step 2's columns, before numbered migrations: such a database
 * has the whole table and no `ledger_migrations`. Steps 1 and 2 only create what is missing, so it
 * ends at version 2 with its rows.
 */
export interface PostgresMigration {
  version: number;
  name: string;
  sql: string;
}

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'order outcomes',
    sql: `CREATE TABLE IF NOT EXISTS order_outcomes (
      order_key    TEXT PRIMARY KEY,
      provider     TEXT NOT NULL,
      order_id     TEXT NOT NULL,
      reference    TEXT,
      outcome      TEXT NOT NULL,
      final        BOOLEAN NOT NULL,
      status       TEXT,
      observation  TEXT,
      transitions  TEXT NOT NULL,
      workflow_id  TEXT NOT NULL,
      occurred_at  TEXT NOT NULL,
      recorded_at  TEXT NOT NULL,
      callback     TEXT NOT NULL DEFAULT 'none'
    )`,
  },
  {
    version: 2,
    name: 'callback body, callback detail and hooks done',
    sql: `ALTER TABLE order_outcomes
      ADD COLUMN IF NOT EXISTS callback_body   TEXT,
      ADD COLUMN IF NOT EXISTS callback_detail TEXT,
      ADD COLUMN IF NOT EXISTS hooks_done      TEXT NOT NULL DEFAULT '[]'`,
  },
];

/**
 * The lock every process takes before touching the ledger's schema. The same number the ledger took
 * before numbered migrations, so an older process starting beside a newer one waits too.
 */
const SCHEMA_LOCK = 424242;

/**
 * Applies the steps the database has not had, inside the caller's transaction. Two processes opening
 * the ledger at once would both find a step missing: the lock makes the second wait for the first
 * to commit, and then it finds nothing left to do.
 */
export async function migratePostgresLedger(client: PoolClient): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
  await client.query(`CREATE TABLE IF NOT EXISTS ledger_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const applied = await client.query<{ version: number }>('SELECT coalesce(max(version), 0) AS version FROM ledger_migrations');
  const appliedVersion = applied.rows[0]?.version ?? 0;
  for (const migration of POSTGRES_MIGRATIONS) {
    if (migration.version <= appliedVersion) continue;
    await client.query(migration.sql);
    await client.query('INSERT INTO ledger_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
      migration.version,
      migration.name,
      new Date().toISOString(),
    ]);
  }
}
