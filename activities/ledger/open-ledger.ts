import type { Ledger } from './ledger';
import { openSqliteLedger } from './sqlite-ledger';

/** `sqlite:<file>` (or `sqlite::memory:`) opens the SQLite ledger. */
export async function openLedger(databaseUrl: string): Promise<Ledger> {
  if (databaseUrl.startsWith('sqlite:')) return openSqliteLedger(databaseUrl.slice('sqlite:'.length));
  throw new Error(`DATABASE_URL ${databaseUrl.split('@').pop()}: PostgreSQL ledgers are not supported yet`);
}
