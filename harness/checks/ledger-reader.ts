/**
 * What a crash or fault run reads back to check exactly-once: the ledger rows straight from the
 * database, client calls retried while the server restarts, the logical Idempotency-Key.
 */
import Database from 'better-sqlite3';
import { Pool } from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';

const SECOND = 1_000;

/** Ledger rows straight from the database (not through the Ledger API, which hides nothing but is per order). */
export interface LedgerRowRead {
  order_key: string;
  outcome: string;
  final: boolean;
  callback: string;
  /** The outcome's workflow time (ISO): when the order knew it. */
  occurred_at: string;
}

/** A row of the poll groups' member table (activities/poll-groups/member-store.ts). */
export interface GroupMemberRead {
  provider: string;
  orderId: string;
  shard: number;
}

export interface LedgerReader {
  rows(): Promise<LedgerRowRead[]>;
  pendingCallbacks(): Promise<number>;
  /** The orders in a poll group now (none before the table exists). */
  groupMembers(): Promise<GroupMemberRead[]>;
  close(): Promise<void>;
}

const MEMBERS_QUERY = 'SELECT provider, order_id AS "orderId", shard FROM poll_group_members';
const noTableYet = (error: unknown): GroupMemberRead[] => {
  if (/no such table|does not exist/i.test(String(error))) return [];
  throw error;
};

export function ledgerReader(databaseUrl: string): LedgerReader {
  if (databaseUrl.startsWith('sqlite:')) {
    const database = new Database(databaseUrl.slice('sqlite:'.length), { fileMustExist: true });
    database.pragma('busy_timeout = 5000');
    const all = database.prepare<[], Omit<LedgerRowRead, 'final'> & { final: number }>(
      'SELECT order_key, outcome, final, callback, occurred_at FROM order_outcomes',
    );
    const pending = database.prepare<[], { count: number }>("SELECT count(*) AS count FROM order_outcomes WHERE callback = 'pending'");
    return {
      rows: async () => all.all().map((row) => ({ ...row, final: row.final === 1 })),
      pendingCallbacks: async () => pending.get()?.count ?? 0,
      groupMembers: async () => {
        try {
          return (database.prepare(MEMBERS_QUERY).all() as GroupMemberRead[]).map((row) => ({ ...row, shard: Number(row.shard) }));
        } catch (error) {
          return noTableYet(error);
        }
      },
      close: async () => {
        database.close();
      },
    };
  }
  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  // This process's own connections die in a database blip too; a query after it reconnects.
  pool.on('error', () => undefined);
  return {
    rows: async () => (await pool.query('SELECT order_key, outcome, final, callback, occurred_at FROM order_outcomes')).rows,
    pendingCallbacks: async () =>
      Number((await pool.query("SELECT count(*) AS count FROM order_outcomes WHERE callback = 'pending'")).rows[0]?.count ?? 0),
    groupMembers: async () =>
      pool.query<GroupMemberRead>(MEMBERS_QUERY).then(
        (result) => result.rows.map((row) => ({ ...row, shard: Number(row.shard) })),
        noTableYet,
      ),
    close: () => pool.end(),
  };
}

/** The server is restarting (gRPC UNAVAILABLE, refused or reset connections), looking through causes. */
export function isTransient(error: unknown): boolean {
  const texts: string[] = [];
  for (let current: unknown = error, depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (code === 14 || code === 4) return true; // UNAVAILABLE, DEADLINE_EXCEEDED
    texts.push(typeof message === 'string' ? message : String(current));
    current = cause;
  }
  return /\bUNAVAILABLE\b|ECONNREFUSED|ECONNRESET|DEADLINE_EXCEEDED|No connection established|Connection dropped/i.test(texts.join(' | '));
}

/** A client call that may meet the dev server while it restarts: retried for up to a minute. */
export async function retrying<T>(what: string, call: () => Promise<T>, timeoutMs = 60 * SECOND): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!isTransient(error) || Date.now() > deadline) throw new Error(`${what}: ${String(error)}`);
      await sleep(250);
    }
  }
}

/**
 * The Idempotency-Key without the record's time a non-final outcome's key carries
 * (`<provider>:<orderId>:<outcome>[:<occurredAt>]`).
 */
export function logicalKey(idempotencyKey: string): string {
  return idempotencyKey.replace(/:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, '');
}
