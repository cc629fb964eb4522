import type { Pool } from 'pg';
import type { Transaction } from '../postgres-pool';
import { orderKey } from '../../domain/ids';
import { ANSWER_SQL, type AnswerStore, NO_LIMIT, type StoredAnswer, insertValues, toKeptAnswer } from './provider-answers';

/** `?` → `$1, $2, …`: the shared statements in PostgreSQL's placeholders. */
function numbered(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => `$${(index += 1)}`);
}

const SQL = Object.fromEntries(Object.entries(ANSWER_SQL).map(([name, sql]) => [name, numbered(sql)])) as Record<keyof typeof ANSWER_SQL, string>;

/**
 * The audit trail on the PostgreSQL ledger. Two workers keeping an answer of one order at once would
 * both find the old digest: a transaction lock on the order key puts them in turn, so the second
 * finds the first's answer and keeps nothing.
 */
export function postgresAnswerStore(pool: Pool, transaction: Transaction): AnswerStore {
  return {
    async keepAnswer(answer, maxPerOrder) {
      const key = orderKey(answer.provider, answer.orderId);
      return transaction(async (client) => {
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`provider_answers:${key}`]);
        const last = await client.query<{ digest: string }>(SQL.lastDigest, [key]);
        if (last.rows[0]?.digest === answer.digest) return false;
        await client.query(SQL.insert, insertValues(key, answer));
        await client.query(SQL.trim, [key, key, maxPerOrder]);
        return true;
      });
    },
    async lastAnswerDigest(provider, orderId) {
      const result = await pool.query<{ digest: string }>(SQL.lastDigest, [orderKey(provider, orderId)]);
      return result.rows[0]?.digest;
    },
    async answers(provider, orderId, limit = NO_LIMIT) {
      const result = await pool.query<StoredAnswer>(SQL.select, [orderKey(provider, orderId), limit]);
      return result.rows.map(toKeptAnswer);
    },
    async pruneAnswers(before) {
      const result = await pool.query(SQL.prune, [before]);
      return result.rowCount ?? 0;
    },
  };
}
