import type { Pool, PoolClient } from 'pg';
import { type DatabaseErrorLog, logToStderr, openPostgresPool } from '../postgres-pool';
import { orderKey } from '../../workflows/ids';
import { type Ledger, type OutcomeRecord, type RecordResult, isFinalOutcome } from './ledger';
import { type StoredRow, toLedgerRow } from './ledger-row';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS order_outcomes (
  order_key       TEXT PRIMARY KEY,
  provider        TEXT NOT NULL,
  order_id        TEXT NOT NULL,
  reference       TEXT,
  outcome         TEXT NOT NULL,
  final           BOOLEAN NOT NULL,
  status          TEXT,
  observation     TEXT,
  transitions     TEXT NOT NULL,
  workflow_id     TEXT NOT NULL,
  occurred_at     TEXT NOT NULL,
  recorded_at     TEXT NOT NULL,
  callback        TEXT NOT NULL DEFAULT 'none',
  callback_body   TEXT,
  callback_detail TEXT,
  hooks_done      TEXT NOT NULL DEFAULT '[]'
)`;

/** Where the ledger reports a lost connection; it never throws. */
export type LedgerErrorLog = DatabaseErrorLog;

async function inTransaction<T>(pool: Pool, logError: LedgerErrorLog, body: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // A checked-out connection is no longer covered by the pool's listener: killed between two
  // statements of this transaction, it would emit an unheard 'error' and end the process.
  const onError = (error: Error) => {
    broken = error;
    logError('ledger database connection lost during a write; the write fails and is retried', { error: error.message });
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await body(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      // The connection itself is gone (a restart, a terminated backend): never hand it out again.
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/**
 * The ledger on PostgreSQL (`DATABASE_URL=postgres://…`), for several workers on several machines.
 * Same rules as the SQLite ledger; each write locks its row (SELECT … FOR UPDATE) in a transaction.
 *
 * A server restart, a failover or an idle-session kill (`pg_terminate_backend`) ends the pool's idle
 * connections: node-postgres reports that as an `'error'` event on the pool, which would crash the
 * process if nobody listened. It is logged here and nothing else: the pool drops that connection and
 * opens a new one for the next write; a write that was in flight fails and its activity is retried.
 */
export async function openPostgresLedger(connectionString: string, logError: LedgerErrorLog = logToStderr): Promise<Ledger> {
  const pool = openPostgresPool(connectionString, 5, 'ledger', logError);
  // Two workers starting at once may both create the table: a lock makes the second wait.
  await inTransaction(pool, logError, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(424242)');
    await client.query(SCHEMA);
  });

  async function selectForUpdate(client: PoolClient, key: string): Promise<StoredRow | undefined> {
    const result = await client.query<StoredRow>('SELECT * FROM order_outcomes WHERE order_key = $1 FOR UPDATE', [key]);
    return result.rows[0];
  }

  async function insertPlaceholder(client: PoolClient, key: string): Promise<void> {
    // A row to lock even for a first write: concurrent first writes then serialise on it.
    await client.query(
      `INSERT INTO order_outcomes (order_key, provider, order_id, outcome, final, transitions, workflow_id, occurred_at, recorded_at)
       VALUES ($1, '', '', '', false, '[]', '', '', '') ON CONFLICT (order_key) DO NOTHING`,
      [key],
    );
  }

  return {
    async record(record: OutcomeRecord, callbackBody: string | null = null): Promise<RecordResult> {
      const key = orderKey(record.provider, record.orderId);
      return inTransaction(pool, logError, async (client) => {
        await insertPlaceholder(client, key);
        const existing = (await selectForUpdate(client, key)) as StoredRow;
        if (existing.workflow_id === record.workflowId && existing.occurred_at === record.occurredAt) {
          return { recorded: true, row: toLedgerRow(existing) };
        }
        if (existing.final === true) return { recorded: false, row: toLedgerRow(existing) };
        const updated = await client.query<StoredRow>(
          `UPDATE order_outcomes SET provider = $2, order_id = $3, reference = $4, outcome = $5, final = $6,
             status = $7, observation = $8, transitions = $9, workflow_id = $10, occurred_at = $11,
             recorded_at = $12, callback = $13, callback_body = $14, callback_detail = NULL, hooks_done = '[]'
           WHERE order_key = $1 RETURNING *`,
          [
            key,
            record.provider,
            record.orderId,
            record.reference,
            record.outcome,
            isFinalOutcome(record.outcome),
            record.observation?.status ?? null,
            record.observation === null ? null : JSON.stringify(record.observation),
            JSON.stringify(record.transitions),
            record.workflowId,
            record.occurredAt,
            new Date().toISOString(),
            callbackBody === null ? 'none' : 'pending',
            callbackBody,
          ],
        );
        return { recorded: true, row: toLedgerRow(updated.rows[0] as StoredRow) };
      });
    },
    async find(provider, orderId) {
      const result = await pool.query<StoredRow>(
        "SELECT * FROM order_outcomes WHERE order_key = $1 AND outcome <> ''",
        [orderKey(provider, orderId)],
      );
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
      return inTransaction(pool, logError, async (client) => {
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
    async close() {
      await pool.end();
    },
  };
}
