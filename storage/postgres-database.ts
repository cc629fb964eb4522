import type { Database } from './database';
import type { DatabaseErrorLog } from './database-error-log';
import { postgresLedger } from './ledger/postgres-ledger';
import { migratePostgres } from './migrations/postgres-migrations';
import { postgresMembers } from './poll-group-members/postgres-members';
import { type Transaction, inTransaction, openPostgresPool } from './postgres-pool';
import { postgresPushChannels } from './push-channels/postgres-push-channels';
import { postgresRequestSlots } from './request-slots/postgres-request-slots';

/**
 * Connections one process may hold: what the four stores' pools held together before they shared
 * one (ledger 5, request slots 4, poll group members 4, push channels 2). The pool opens them only
 * as queries need them.
 */
const POOL_SIZE = 15;

/**
 * The database on PostgreSQL (`DATABASE_URL=postgres://…`), shared by every worker and the ingress
 * on every machine: one pool for every store, its lost connections logged as the ledger's (the name
 * operators know from `ledger database connection lost`), the migrations applied under the schema
 * lock before any store is handed out.
 */
export async function openPostgresDatabase(connectionString: string, logError: DatabaseErrorLog): Promise<Database> {
  const pool = openPostgresPool(connectionString, POOL_SIZE, 'ledger', logError);
  const transaction: Transaction = (body) => inTransaction(pool, 'ledger', logError, body);
  try {
    await transaction(migratePostgres);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  let closing: Promise<void> | undefined;
  // pool.end() a second time throws: every close after the first waits for the first.
  const close = () => (closing ??= pool.end());
  const ledger = postgresLedger(pool, transaction);
  return {
    dialect: 'postgres',
    ledger: { ...ledger, close },
    requestSlots: postgresRequestSlots(pool, transaction),
    pushChannels: postgresPushChannels(pool),
    members: postgresMembers(pool),
    close,
  };
}
