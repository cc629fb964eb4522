/**
 * The storage layer's one way in. `openDatabase(DATABASE_URL)` opens the database every process of a
 * deployment shares — one SQLite file (`sqlite:<file>`, `sqlite::memory:`) or PostgreSQL
 * (`postgres://…`) — brings its schema to the last numbered step (migrations/: every table of every
 * store, applied once, under a lock, by whichever process opens it first) and hands out every store
 * on it (database.ts). Nothing in storage/ imports code above it (eslint.config.js holds the boundary).
 */
import type { Database } from './database';
import type { DatabaseErrorLog } from './database-error-log';
import type { Ledger } from './ledger/ledger';
import { openPostgresDatabase } from './postgres-database';
import { logToStderr } from './postgres-pool';
import { openSqliteDatabase } from './sqlite-database';

export type { Database } from './database';

export interface DatabaseOptions {
  /** Where a lost PostgreSQL connection is reported (it never throws); JSON lines on stderr by default. */
  logError?: DatabaseErrorLog;
}

export async function openDatabase(databaseUrl: string, options: DatabaseOptions = {}): Promise<Database> {
  if (databaseUrl.startsWith('sqlite:')) return openSqliteDatabase(databaseUrl.slice('sqlite:'.length));
  return openPostgresDatabase(databaseUrl, options.logError ?? logToStderr);
}

/** The ledger alone (`order-tracker/worker` exports it): its close() closes the database it opened. */
export async function openLedger(databaseUrl: string): Promise<Ledger> {
  return (await openDatabase(databaseUrl)).ledger;
}
