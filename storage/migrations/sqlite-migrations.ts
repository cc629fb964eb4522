import type Database from 'better-sqlite3';
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
 * The database's schema on SQLite, one numbered step after another. A step's number names the same
 * schema on PostgreSQL (postgres-migrations.ts): a new step goes at the end of both lists, and a
 * step that has shipped is never changed.
 *
 * Ledger files made before numbered migrations have no `ledger_migrations` table, and their table
 * is the first or the second schema (the code then created it if missing and added the missing
 * columns). Steps 1 and 2 are written to run over either: 1 creates the table only when it is not
 * there, 2 adds only the columns that are missing. Such a file thus ends at version 2 with its rows.
 * Steps 4 to 6 adopt the tables the stores used to create themselves the same way (schema-steps.ts).
 */
export interface SqliteMigration {
  version: number;
  name: string;
  apply(database: Database.Database): void;
}

export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: STEP_NAMES[1],
    apply(database) {
      database.exec(createOrderOutcomesSql('INTEGER'));
    },
  },
  {
    version: 2,
    name: STEP_NAMES[2],
    apply(database) {
      for (const column of STEP_2_COLUMNS) addColumnIfMissing(database, 'order_outcomes', column);
    },
  },
  {
    version: 3,
    name: STEP_NAMES[3],
    apply(database) {
      for (const statement of createProviderAnswersSql('INTEGER PRIMARY KEY AUTOINCREMENT')) database.exec(statement);
    },
  },
  {
    version: 4,
    name: STEP_NAMES[4],
    apply(database) {
      database.exec(CREATE_REQUEST_SLOTS_SQL);
    },
  },
  {
    version: 5,
    name: STEP_NAMES[5],
    apply(database) {
      database.exec(CREATE_PUSH_CHANNELS_SQL);
      addColumnIfMissing(database, 'push_channels', PUSH_CHANNELS_LEASE_COLUMN);
    },
  },
  {
    version: 6,
    name: STEP_NAMES[6],
    apply(database) {
      for (const statement of CREATE_POLL_GROUP_MEMBERS_SQL) database.exec(statement);
    },
  },
  {
    version: 7,
    name: STEP_NAMES[7],
    apply(database) {
      database.exec(CREATE_POLL_GROUP_LOOPS_SQL);
    },
  },
];

/** SQLite has no `ADD COLUMN IF NOT EXISTS`. */
function addColumnIfMissing(database: Database.Database, table: string, column: { name: string; type: string }): void {
  const columns = database.prepare<[], { name: string }>(`PRAGMA table_info(${table})`).all();
  if (!columns.some((existing) => existing.name === column.name)) database.exec(`ALTER TABLE ${table} ADD COLUMN ${column.name} ${column.type}`);
}

/**
 * Applies the steps the file has not had, in one immediate transaction: a second process opening the
 * same file waits for it (busy_timeout), then finds nothing left to do. The applied steps are rows of
 * `ledger_migrations` (each with its name and time), the same table as on PostgreSQL.
 */
export function migrateSqlite(database: Database.Database): void {
  database
    .transaction(() => {
      database.exec(CREATE_LEDGER_MIGRATIONS_SQL);
      const applied = database.prepare<[], { version: number }>(APPLIED_VERSION_SQL).get();
      const appliedVersion = applied?.version ?? 0;
      const recordStep = database.prepare(RECORD_STEP_SQL.sqlite);
      for (const migration of SQLITE_MIGRATIONS) {
        if (migration.version <= appliedVersion) continue;
        migration.apply(database);
        recordStep.run(migration.version, migration.name, new Date().toISOString());
      }
    })
    .immediate();
}
