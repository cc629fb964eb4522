import type Database from 'better-sqlite3';
import { orderKey } from '../../domain/ids';
import { ANSWER_SQL, type AnswerStore, type KeptAnswer, NO_LIMIT, type StoredAnswer, insertValues, toKeptAnswer } from './provider-answers';

/** The audit trail on the SQLite ledger's file; each keep is one immediate transaction. */
export function sqliteAnswerStore(database: Database.Database): AnswerStore {
  const lastDigest = database.prepare<[string], { digest: string }>(ANSWER_SQL.lastDigest);
  const insert = database.prepare(ANSWER_SQL.insert);
  const trim = database.prepare(ANSWER_SQL.trim);
  const select = database.prepare<[string, number], StoredAnswer>(ANSWER_SQL.select);
  const prune = database.prepare(ANSWER_SQL.prune);

  const keepInTransaction = database.transaction((answer: KeptAnswer, maxPerOrder: number): boolean => {
    const key = orderKey(answer.provider, answer.orderId);
    if (lastDigest.get(key)?.digest === answer.digest) return false;
    insert.run(...insertValues(key, answer));
    trim.run(key, key, maxPerOrder);
    return true;
  });

  return {
    async keepAnswer(answer, maxPerOrder) {
      return keepInTransaction.immediate(answer, maxPerOrder);
    },
    async lastAnswerDigest(provider, orderId) {
      return lastDigest.get(orderKey(provider, orderId))?.digest;
    },
    async answers(provider, orderId, limit = NO_LIMIT) {
      return select.all(orderKey(provider, orderId), limit).map(toKeptAnswer);
    },
    async pruneAnswers(before) {
      return prune.run(before).changes;
    },
  };
}
