/**
 * The one way this project opens a PostgreSQL pool: the database's one pool, which every store
 * shares (postgres-database.ts). A server
 * restart, a failover or an idle-session kill (`pg_terminate_backend`) ends the pool's idle
 * connections: node-postgres reports that as an `'error'` event on the pool, which would crash the
 * process if nobody listened. It is logged here and nothing else: the pool drops that connection and
 * opens a new one for the next query; a query that was in flight fails and its caller retries.
 */
import { Pool, type PoolClient } from 'pg';
import type { DatabaseErrorLog } from './database-error-log';

export type { DatabaseErrorLog } from './database-error-log';

/** A new connection that does not come up within this fails the query (the activity is retried). */
const CONNECT_TIMEOUT_MS = 10_000;
/** No statement of ours takes long; one that does is stuck behind a lock or a dying server. */
const STATEMENT_TIMEOUT_MS = 15_000;
/**
 * The same limit on this side: a hung server (or a network that drops its packets) never enforces
 * its own statement_timeout, and a pooled query waited as long as the hang lasted (issue 29, R11).
 * The connection of a query that timed out is discarded, not handed out again.
 */
export const QUERY_TIMEOUT_MS = 20_000;
/** A transaction left open by a worker that stalled mid-write must not hold its row lock for ever. */
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;

export const logToStderr: DatabaseErrorLog = (message, fields) => {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'WARN', message, ...fields })}\n`);
};

export function openPostgresPool(connectionString: string, max: number, name: string, logError: DatabaseErrorLog = logToStderr): Pool {
  const pool = new Pool({
    connectionString,
    max,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
  });
  // The message only: the connection string (and its password) is never logged.
  pool.on('error', (error) => logError(`${name} database connection lost; the next write opens a new one`, { error: error.message }));
  return pool;
}

/** A transaction on the database's pool: inTransaction with the pool, its name and its log bound. */
export type Transaction = <T>(body: (client: PoolClient) => Promise<T>) => Promise<T>;

/**
 * Runs `body` in one transaction on a connection of its own; a connection lost meanwhile fails the
 * write (its caller retries) and is never handed out again.
 */
export async function inTransaction<T>(pool: Pool, name: string, logError: DatabaseErrorLog, body: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // A checked-out connection is no longer covered by the pool's listener: killed between two
  // statements of this transaction, it would emit an unheard 'error' and end the process.
  const onError = (error: Error) => {
    broken = error;
    logError(`${name} database connection lost during a write; the write fails and is retried`, { error: error.message });
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
