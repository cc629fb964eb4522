import type { PoolClient } from 'pg';
import {
  APPLIED_VERSION_SQL,
  CREATE_LEDGER_MIGRATIONS_SQL,
  CREATE_POLL_GROUP_LOOPS_SQL,
  CREATE_POLL_GROUP_MEMBERS_SQL,
  CREATE_PUSH_CHANNELS_SQL,
  CREATE_REQUEST_SLOTS_SQL,
  PUSH_CHANNELS_LEASE_COLUMN,
  RECORD_STEP_SQL,
  STEP_2_COLUMNS,
  STEP_NAMES,
  createOrderOutcomesSql,
  createProviderAnswersSql,
} from './schema-steps';

/**
 * The database's schema on PostgreSQL, one numbered step after another; a step's number names the
 * same schema on SQLite (sqlite-migrations.ts). A new step goes at the end of both lists, and a step
 * that has shipped is never changed.
 *
 * The PostgreSQL ledger was born with step 2's columns, before numbered migrations: such a database
 * has the whole table and no `ledger_migrations`. Steps 1 and 2 only create what is missing, so it
 * ends at version 2 with its rows. Steps 4 to 6 adopt the tables the stores used to create
 * themselves the same way (schema-steps.ts).
 */
export interface PostgresMigration {
  version: number;
  name: string;
  sql: string;
}

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  { version: 1, name: STEP_NAMES[1], sql: createOrderOutcomesSql('BOOLEAN') },
  {
    version: 2,
    name: STEP_NAMES[2],
    sql: `ALTER TABLE order_outcomes ${STEP_2_COLUMNS.map((column) => `ADD COLUMN IF NOT EXISTS ${column.name} ${column.type}`).join(', ')}`,
  },
  { version: 3, name: STEP_NAMES[3], sql: createProviderAnswersSql('BIGSERIAL PRIMARY KEY').join(';\n') },
  { version: 4, name: STEP_NAMES[4], sql: CREATE_REQUEST_SLOTS_SQL },
  {
    version: 5,
    name: STEP_NAMES[5],
    sql: `${CREATE_PUSH_CHANNELS_SQL};\nALTER TABLE push_channels ADD COLUMN IF NOT EXISTS ${PUSH_CHANNELS_LEASE_COLUMN.name} ${PUSH_CHANNELS_LEASE_COLUMN.type}`,
  },
  { version: 6, name: STEP_NAMES[6], sql: CREATE_POLL_GROUP_MEMBERS_SQL.join(';\n') },
  { version: 7, name: STEP_NAMES[7], sql: CREATE_POLL_GROUP_LOOPS_SQL },
];

/**
 * The lock every process takes before touching the schema. The same number the ledger took before
 * numbered migrations, so an older process starting beside a newer one waits too.
 */
const SCHEMA_LOCK = 424242;
/**
 * The locks older code took to create its own tables: the push channels' (424243), and the request
 * slots' and members' (424244). Taken too, so an older worker or ingress creating its table during a
 * rolling upgrade waits for the step that creates it here (each took one lock alone: no deadlock).
 */
const OLDER_TABLE_LOCKS = [424243, 424244];

/**
 * Applies the steps the database has not had, inside the caller's transaction. Two processes opening
 * the database at once would both find a step missing: the lock makes the second wait for the first
 * to commit, and then it finds nothing left to do.
 */
export async function migratePostgres(client: PoolClient): Promise<void> {
  for (const lock of [SCHEMA_LOCK, ...OLDER_TABLE_LOCKS]) await client.query('SELECT pg_advisory_xact_lock($1)', [lock]);
  await client.query(CREATE_LEDGER_MIGRATIONS_SQL);
  const applied = await client.query<{ version: number }>(APPLIED_VERSION_SQL);
  const appliedVersion = applied.rows[0]?.version ?? 0;
  for (const migration of POSTGRES_MIGRATIONS) {
    if (migration.version <= appliedVersion) continue;
    await client.query(migration.sql);
    await client.query(RECORD_STEP_SQL.postgres, [migration.version, migration.name, new Date().toISOString()]);
  }
}
