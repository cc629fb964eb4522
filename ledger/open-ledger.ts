import type { Ledger } from './ledger';
import { openPostgresLedger } from './postgres-ledger';
import { openSqliteLedger } from './sqlite-ledger';

/** `sqlite:<file>` (or `sqlite::memory:`) opens the SQLite ledger; `postgres://…` PostgreSQL. */
export async function openLedger(databaseUrl: string): Promise<Ledger> {
  if (databaseUrl.startsWith('sqlite:')) return openSqliteLedger(databaseUrl.slice('sqlite:'.length));
  return openPostgresLedger(databaseUrl);
}
