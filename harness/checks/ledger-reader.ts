/**
 * What a crash or fault run reads back to check exactly-once: every ledger row at once (the run's
 * database, as openDatabase opened it), client calls retried while the server restarts, the logical
 * Idempotency-Key.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { StoredLedger } from '../../storage/ledger/ledger';

const SECOND = 1_000;

/** Ledger rows as the checks read them: every row of the database at once, not order by order. */
export interface LedgerRowRead {
  order_key: string;
  outcome: string;
  final: boolean;
  callback: string;
  /** The outcome's workflow time (ISO): when the order knew it. */
  occurred_at: string;
}

export interface LedgerReader {
  rows(): Promise<LedgerRowRead[]>;
  pendingCallbacks(): Promise<number>;
}

/** Over the run's own ledger (openDatabase's): whatever the database, every row in one read. */
export function ledgerReader(ledger: Pick<StoredLedger, 'allRows'>): LedgerReader {
  const rows = async (): Promise<LedgerRowRead[]> =>
    (await ledger.allRows()).map((row) => ({
      order_key: row.orderKey,
      outcome: row.outcome,
      final: row.final,
      callback: row.callback,
      occurred_at: row.occurredAt,
    }));
  return {
    rows,
    pendingCallbacks: async () => (await rows()).filter((row) => row.callback === 'pending').length,
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
