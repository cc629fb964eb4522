import type Database from 'better-sqlite3';

/**
 * The ledger's schema on SQLite, one numbered step after another. A step's number names the same
 * schema on PostgreSQL (postgres-migrations.ts): a new step goes at the end of both lists, and a
 * step that has shipped is never changed.
 *
 * Ledger files made before numbered migrations have no `ledger_migrations` table, and their table
 * is the first or the second schema (the code then created it if missing and added the missing
 * columns). Steps 1 and 2 are written to run over either: 1 creates the table only when it is not
 * there, 2 adds only the columns that are missing. Such a file thus ends at version 2 with its rows.
 */
export interface SqliteMigration {
  version: number;
  name: string;
  apply(database: Database.Database): void;
}

export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'order outcomes',
    apply(database) {
      database.exec(`
        CREATE TABLE IF NOT EXISTS order_outcomes (
          order_key    TEXT PRIMARY KEY,
          provider     TEXT NOT NULL,
          order_id     TEXT NOT NULL,
          reference    TEXT,
          outcome      TEXT NOT NULL,
          final        INTEGER NOT NULL,
          status       TEXT,
          observation  TEXT,
          transitions  TEXT NOT NULL,
          workflow_id  TEXT NOT NULL,
          occurred_at  TEXT NOT NULL,
          recorded_at  TEXT NOT NULL,
          callback     TEXT NOT NULL DEFAULT 'none'
        )`);
    },
  },
  {
    version: 2,
    name: 'callback body, callback detail and hooks done',
    apply(database) {
      addColumnIfMissing(database, 'callback_body', 'TEXT');
      addColumnIfMissing(database, 'callback_detail', 'TEXT');
      addColumnIfMissing(database, 'hooks_done', "TEXT NOT NULL DEFAULT '[]'");
    },
  },
];

/** SQLite has no `ADD COLUMN IF NOT EXISTS`. */
function addColumnIfMissing(database: Database.Database, column: string, type: string): void {
  const columns = database.prepare<[], { name: string }>('PRAGMA table_info(order_outcomes)').all();
  if (!columns.some((existing) => existing.name === column)) database.exec(`ALTER TABLE order_outcomes ADD COLUMN ${column} ${type}`);
}

/**
 * Applies the steps the file has not had, in one immediate transaction: a second process opening the
 * same file waits for it (busy_timeout), then finds nothing left to do. The applied steps are rows of
 * `ledger_migrations`, not `PRAGMA user_version`: the file is shared with other tables (request slots).
 */
export function migrateSqliteLedger(database: Database.Database): void {
  database
    .transaction(() => {
      database.exec(`CREATE TABLE IF NOT EXISTS ledger_migrations (
        version    INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        applied_at TEXT NOT NULL
      )`);
      const applied = database.prepare<[], { version: number }>('SELECT coalesce(max(version), 0) AS version FROM ledger_migrations').get();
      const appliedVersion = applied?.version ?? 0;
      const recordStep = database.prepare('INSERT INTO ledger_migrations (version, name, applied_at) VALUES (?, ?, ?)');
      for (const migration of SQLITE_MIGRATIONS) {
        if (migration.version <= appliedVersion) continue;
        migration.apply(database);
        recordStep.run(migration.version, migration.name, new Date().toISOString());
      }
    })
    .immediate();
}
