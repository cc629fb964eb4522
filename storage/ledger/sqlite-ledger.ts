import type Database from 'better-sqlite3';
import { orderKey } from '../../domain/ids';
import type { ProviderName } from '../../domain/types';
import { decideRecord } from './decide-record';
import type { LedgerRow, OutcomeRecord, RecordResult, StoredLedger } from './ledger';
import { STORED_COLUMNS, type StoredRow, toLedgerRow, toStoredRow } from './ledger-row';
import { sqliteAnswerStore } from './sqlite-answers';

/** better-sqlite3 binds no booleans. */
function toSqliteRow(row: LedgerRow): StoredRow {
  const stored = toStoredRow(row);
  return { ...stored, final: stored.final === true ? 1 : 0 };
}

/**
 * The default ledger: one SQLite file, written in immediate transactions (WAL so readers never
 * block), on the connection the database opened and migrated (sqlite-database.ts).
 */
export function sqliteLedger(database: Database.Database): Omit<StoredLedger, 'close'> {
  const select = database.prepare<[string], StoredRow>('SELECT * FROM order_outcomes WHERE order_key = ?');
  const insert = database.prepare<[StoredRow], StoredRow>(
    `INSERT INTO order_outcomes (${STORED_COLUMNS.join(', ')})
     VALUES (${STORED_COLUMNS.map((column) => `@${column}`).join(', ')}) RETURNING *`,
  );
  const replace = database.prepare<[StoredRow], StoredRow>(
    `UPDATE order_outcomes SET ${STORED_COLUMNS.map((column) => `${column} = @${column}`).join(', ')}
     WHERE order_key = @order_key RETURNING *`,
  );
  const updateCallback = database.prepare(
    'UPDATE order_outcomes SET callback = ?, callback_detail = ? WHERE order_key = ? AND outcome = ?',
  );
  const updateHooks = database.prepare('UPDATE order_outcomes SET hooks_done = ? WHERE order_key = ?');
  const selectAll = database.prepare<[], StoredRow>('SELECT * FROM order_outcomes');

  const recordInTransaction = database.transaction((record: OutcomeRecord, callbackBody: string | null): RecordResult => {
    const existing = select.get(orderKey(record.provider, record.orderId));
    const decision = decideRecord(existing && toLedgerRow(existing), record, callbackBody, new Date().toISOString());
    if (decision.action === 'keep') return { recorded: decision.recorded, row: decision.row };
    const written = (decision.action === 'insert' ? insert : replace).get(toSqliteRow(decision.row)) as StoredRow;
    return { recorded: true, row: toLedgerRow(written) };
  });

  const markHookInTransaction = database.transaction((key: string, hookKey: string): boolean => {
    const row = select.get(key);
    if (!row) return false;
    const done: string[] = JSON.parse(row.hooks_done);
    if (done.includes(hookKey)) return false;
    updateHooks.run(JSON.stringify([...done, hookKey]), key);
    return true;
  });

  return {
    ...sqliteAnswerStore(database),
    async record(record, callbackBody = null) {
      return recordInTransaction.immediate(record, callbackBody);
    },
    async find(provider: ProviderName, orderId: string) {
      const row = select.get(orderKey(provider, orderId));
      return row ? toLedgerRow(row) : undefined;
    },
    async markCallback(provider, orderId, outcome, state, detail) {
      updateCallback.run(state, detail, orderKey(provider, orderId), outcome);
    },
    async markHookDone(provider, orderId, hookKey) {
      return markHookInTransaction.immediate(orderKey(provider, orderId), hookKey);
    },
    async allRows() {
      return selectAll.all().map(toLedgerRow);
    },
  };
}
