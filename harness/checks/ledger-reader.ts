/**
 * What a crash or fault run reads back to check exactly-once: every ledger row at once (the run's
 * database, as openDatabase opened it), client calls retried while the server restarts, the logical
 * Idempotency-Key.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProviderName } from '../../domain/types';
import type { StoredLedger } from '../../storage/ledger/ledger';
import type { MemberStore } from '../../storage/poll-group-members/member-store';

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

/** A row of the poll groups' member table (storage/poll-group-members/). */
export interface GroupMemberRead {
  provider: string;
  orderId: string;
  shard: number;
}

export interface LedgerReader {
  rows(): Promise<LedgerRowRead[]>;
  pendingCallbacks(): Promise<number>;
  /** The orders of these poll groups (`<provider>:<shard>`) now. */
  groupMembers(groups: readonly string[]): Promise<GroupMemberRead[]>;
}

/** Over the run's own database (openDatabase's): whatever its dialect, every ledger row in one read. */
export function ledgerReader(database: { ledger: Pick<StoredLedger, 'allRows'>; members: Pick<MemberStore, 'list'> }): LedgerReader {
  const rows = async (): Promise<LedgerRowRead[]> =>
    (await database.ledger.allRows()).map((row) => ({
      order_key: row.orderKey,
      outcome: row.outcome,
      final: row.final,
      callback: row.callback,
      occurred_at: row.occurredAt,
    }));
  return {
    rows,
    pendingCallbacks: async () => (await rows()).filter((row) => row.callback === 'pending').length,
    groupMembers: async (groups) => {
      const lists = await Promise.all(
        groups.map(async (group) => {
          const [provider, shard] = group.split(':');
          return (await database.members.list(provider as ProviderName, Number(shard))).map((row) => ({ provider: row.provider, orderId: row.orderId, shard: row.shard }));
        }),
      );
      return lists.flat();
    },
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
