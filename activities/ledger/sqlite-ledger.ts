import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { orderKey } from '../../workflows/ids';
import type { ProviderName } from '../../workflows/types';
import { type Ledger, type OutcomeRecord, type RecordResult, isFinalOutcome } from './ledger';
import { type StoredRow, toLedgerRow } from './ledger-row';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS order_outcomes (
  order_key       TEXT PRIMARY KEY,
  provider        TEXT NOT NULL,
  order_id        TEXT NOT NULL,
  reference       TEXT,
  outcome         TEXT NOT NULL,
  final           INTEGER NOT NULL,
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

/** Columns added after the first version of the table, for ledgers created by it. */
const ADDED_COLUMNS: Record<string, string> = {
  callback_body: 'TEXT',
  callback_detail: 'TEXT',
  hooks_done: "TEXT NOT NULL DEFAULT '[]'",
};

/** The default ledger: one SQLite file, written in immediate transactions (WAL so readers never block). */
export function openSqliteLedger(file: string): Ledger {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  database.exec(SCHEMA);
  const columns = new Set(database.prepare<[], { name: string }>('PRAGMA table_info(order_outcomes)').all().map((column) => column.name));
  for (const [name, type] of Object.entries(ADDED_COLUMNS)) {
    if (!columns.has(name)) database.exec(`ALTER TABLE order_outcomes ADD COLUMN ${name} ${type}`);
  }

  const select = database.prepare<[string], StoredRow>('SELECT * FROM order_outcomes WHERE order_key = ?');
  const upsert = database.prepare(`
    INSERT INTO order_outcomes (order_key, provider, order_id, reference, outcome, final, status, observation,
                                transitions, workflow_id, occurred_at, recorded_at, callback, callback_body)
    VALUES (@order_key, @provider, @order_id, @reference, @outcome, @final, @status, @observation,
            @transitions, @workflow_id, @occurred_at, @recorded_at, @callback, @callback_body)
    ON CONFLICT (order_key) DO UPDATE SET
      reference = excluded.reference, outcome = excluded.outcome, final = excluded.final,
      status = excluded.status, observation = excluded.observation, transitions = excluded.transitions,
      workflow_id = excluded.workflow_id, occurred_at = excluded.occurred_at, recorded_at = excluded.recorded_at,
      callback = excluded.callback, callback_body = excluded.callback_body, callback_detail = NULL,
      hooks_done = '[]'
    WHERE order_outcomes.final = 0`);
  const updateCallback = database.prepare(
    'UPDATE order_outcomes SET callback = ?, callback_detail = ? WHERE order_key = ? AND outcome = ?',
  );
  const updateHooks = database.prepare('UPDATE order_outcomes SET hooks_done = ? WHERE order_key = ?');

  const recordInTransaction = database.transaction((record: OutcomeRecord, callbackBody: string | null = null): RecordResult => {
    const key = orderKey(record.provider, record.orderId);
    const existing = select.get(key);
    // A retry of the same write (same run, same outcome) finds its own row: nothing new to record.
    if (existing && existing.workflow_id === record.workflowId && existing.occurred_at === record.occurredAt) {
      return { recorded: true, row: toLedgerRow(existing) };
    }
    if (existing && existing.final === 1) return { recorded: false, row: toLedgerRow(existing) };
    upsert.run({
      order_key: key,
      provider: record.provider,
      order_id: record.orderId,
      reference: record.reference,
      outcome: record.outcome,
      final: isFinalOutcome(record.outcome) ? 1 : 0,
      status: record.observation?.status ?? null,
      observation: record.observation === null ? null : JSON.stringify(record.observation),
      transitions: JSON.stringify(record.transitions),
      workflow_id: record.workflowId,
      occurred_at: record.occurredAt,
      recorded_at: new Date().toISOString(),
      callback: callbackBody === null ? 'none' : 'pending',
      callback_body: callbackBody,
    });
    return { recorded: true, row: toLedgerRow(select.get(key) as StoredRow) };
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
    async record(record, callbackBody) {
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
    async close() {
      database.close();
    },
  };
}
