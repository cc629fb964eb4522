import type { Pool, PoolClient } from 'pg';
import type { Transaction } from '../postgres-pool';
import { orderKey } from '../../domain/ids';
import { decideRecord } from './decide-record';
import type { OutcomeRecord, RecordResult, StoredLedger } from './ledger';
import { STORED_COLUMNS, type StoredRow, toLedgerRow, toStoredRow } from './ledger-row';
import { postgresAnswerStore } from './postgres-answers';

/** `$1, $2, …`: the columns' values, in STORED_COLUMNS' order (order_key first). */
const PARAMETERS = STORED_COLUMNS.map((_, index) => `$${index + 1}`);
/** Returns nothing when another write inserted the row first. */
const INSERT = `INSERT INTO order_outcomes (${STORED_COLUMNS.join(', ')}) VALUES (${PARAMETERS.join(', ')})
  ON CONFLICT (order_key) DO NOTHING RETURNING *`;
const REPLACE = `UPDATE order_outcomes SET ${STORED_COLUMNS.map((column, index) => `${column} = ${PARAMETERS[index]}`).join(', ')}
  WHERE order_key = $1 RETURNING *`;

/**
 * The ledger on PostgreSQL (`DATABASE_URL=postgres://…`), for several workers on several machines,
 * on the pool the database opened and migrated (postgres-database.ts). decideRecord decides each
 * record, as on SQLite; each write locks its row (SELECT … FOR UPDATE) in a transaction, so the row
 * it decided over is the row it changes. A connection lost under a write fails that write, and its
 * activity is retried (postgres-pool.ts).
 */
export function postgresLedger(pool: Pool, transaction: Transaction): Omit<StoredLedger, 'close'> {
  async function selectForUpdate(client: PoolClient, key: string): Promise<StoredRow | undefined> {
    const result = await client.query<StoredRow>('SELECT * FROM order_outcomes WHERE order_key = $1 FOR UPDATE', [key]);
    return result.rows[0];
  }

  return {
    ...postgresAnswerStore(pool, transaction),
    async record(record: OutcomeRecord, callbackBody: string | null = null): Promise<RecordResult> {
      const key = orderKey(record.provider, record.orderId);
      return transaction(async (client) => {
        // Two first writes of one order both find no row to lock: the second insert finds the first's
        // row (ON CONFLICT waits for it to commit), and that write decides again over it, locked.
        for (let attempt = 1; attempt <= 2; attempt += 1) {
          const existing = await selectForUpdate(client, key);
          const decision = decideRecord(existing && toLedgerRow(existing), record, callbackBody, new Date().toISOString());
          if (decision.action === 'keep') return { recorded: decision.recorded, row: decision.row };
          const stored = toStoredRow(decision.row);
          const written = await client.query<StoredRow>(decision.action === 'insert' ? INSERT : REPLACE, STORED_COLUMNS.map((column) => stored[column]));
          if (written.rows[0] !== undefined) return { recorded: true, row: toLedgerRow(written.rows[0]) };
        }
        throw new Error(`ledger row ${key} neither found nor inserted`);
      });
    },
    async find(provider, orderId) {
      const result = await pool.query<StoredRow>('SELECT * FROM order_outcomes WHERE order_key = $1', [orderKey(provider, orderId)]);
      return result.rows[0] ? toLedgerRow(result.rows[0]) : undefined;
    },
    async markCallback(provider, orderId, outcome, state, detail) {
      await pool.query('UPDATE order_outcomes SET callback = $1, callback_detail = $2 WHERE order_key = $3 AND outcome = $4', [
        state,
        detail,
        orderKey(provider, orderId),
        outcome,
      ]);
    },
    async markHookDone(provider, orderId, hookKey) {
      return transaction(async (client) => {
        const row = await selectForUpdate(client, orderKey(provider, orderId));
        if (!row) return false;
        const done: string[] = JSON.parse(row.hooks_done);
        if (done.includes(hookKey)) return false;
        await client.query('UPDATE order_outcomes SET hooks_done = $1 WHERE order_key = $2', [
          JSON.stringify([...done, hookKey]),
          row.order_key,
        ]);
        return true;
      });
    },
    async allRows() {
      const result = await pool.query<StoredRow>('SELECT * FROM order_outcomes');
      return result.rows.map(toLedgerRow);
    },
  };
}
