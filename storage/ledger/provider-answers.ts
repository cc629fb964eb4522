/**
 * The audit trail's storage: every provider answer that changed an order's status or details, kept
 * whole (redacted before it gets here: audit/redact-answer.ts) with its time and source, in the
 * table `provider_answers` of the ledger's database (step 3 of the migrations). Both ledgers
 * implement it (sqlite-answers.ts, postgres-answers.ts); the writer that decides what to keep is
 * audit/audit-trail.ts.
 */
import type { ProviderName } from '../../domain/types';

/**
 * Where an answer came from: a poll of the order, a poll group's poll or a list sweep (the poll
 * groups write these two through the same writer), or a push (webhook, socket).
 */
export const ANSWER_SOURCES = ['poll', 'group', 'sweep', 'push'] as const;
export type AnswerSource = (typeof ANSWER_SOURCES)[number];

export interface KeptAnswer {
  provider: ProviderName;
  orderId: string;
  source: AnswerSource;
  /** The status the answer says, as the provider module read it. */
  status: string;
  /** Of the status and details the answer says: two answers with one digest changed nothing between them. */
  digest: string;
  /** The answer as the provider sent it, secrets and tokens redacted. */
  answer: unknown;
  /** ISO time the answer arrived. */
  receivedAt: string;
}

export interface AnswerStore {
  /**
   * Keeps the answer unless the order's last kept answer has the same digest (checked in the same
   * transaction, so two workers never keep one change twice), then trims the order to its newest
   * `maxPerOrder`. Resolves whether it was kept.
   */
  keepAnswer(answer: KeptAnswer, maxPerOrder: number): Promise<boolean>;
  /** The digest of the order's last kept answer: one read, made only when the writer's memory has none. */
  lastAnswerDigest(provider: ProviderName, orderId: string): Promise<string | undefined>;
  /** The order's kept answers, oldest first; the newest `limit` of them when given. */
  answers(provider: ProviderName, orderId: string, limit?: number): Promise<KeptAnswer[]>;
  /** Deletes every answer received before `before` (ISO); resolves how many. */
  pruneAnswers(before: string): Promise<number>;
}

/** A row of `provider_answers`, as both databases return it. */
export interface StoredAnswer {
  provider: string;
  order_id: string;
  source: string;
  status: string;
  digest: string;
  answer: string;
  received_at: string;
}

export function toKeptAnswer(row: StoredAnswer): KeptAnswer {
  return {
    provider: row.provider as ProviderName,
    orderId: row.order_id,
    source: row.source as AnswerSource,
    status: row.status,
    digest: row.digest,
    answer: JSON.parse(row.answer),
    receivedAt: row.received_at,
  };
}

/** Statements both dialects share, with `?` placeholders (postgres-answers.ts numbers them). */
export const ANSWER_SQL = {
  lastDigest: 'SELECT digest FROM provider_answers WHERE order_key = ? ORDER BY id DESC LIMIT 1',
  insert: `INSERT INTO provider_answers (order_key, provider, order_id, source, status, digest, answer, received_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  /** Everything of the order older than its newest `?` answers (the subquery finds none when it has fewer). */
  trim: `DELETE FROM provider_answers WHERE order_key = ? AND id <=
    (SELECT id FROM provider_answers WHERE order_key = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
  /** The newest `?`, returned oldest first. */
  select: `SELECT provider, order_id, source, status, digest, answer, received_at FROM
    (SELECT * FROM provider_answers WHERE order_key = ? ORDER BY id DESC LIMIT ?) AS newest ORDER BY id`,
  prune: 'DELETE FROM provider_answers WHERE received_at < ?',
} as const;

/** The values of an insert, in ANSWER_SQL.insert's order. */
export function insertValues(orderKey: string, answer: KeptAnswer): string[] {
  return [orderKey, answer.provider, answer.orderId, answer.source, answer.status, answer.digest, JSON.stringify(answer.answer), answer.receivedAt];
}

/** `limit` when given, else every answer an order can have. */
export const NO_LIMIT = 1_000_000;
