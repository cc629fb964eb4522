import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { orderKey } from '../../workflows/ids';
import type { ProviderName } from '../../workflows/types';
import { type Ledger, type LedgerRow, type OutcomeRecord, type RecordResult, isFinalOutcome } from './ledger';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS order_outcomes (
  order_key    TEXT PRIMARY KEY,
  provider     TEXT NOT NULL,
  order_id     TEXT NOT NULL,
  reference    TEXT,
  outcome      TEXT NOT NULL,
  final        INTEGER NOT NULL,
  status       TEXT,
  observation  TEXT,
  transitions  TEXT NOT NULL,
  workflow_id  TEXT NOT NULL,
  occurred_at  TEXT NOT NULL,
  recorded_at  TEXT NOT NULL,
  callback     TEXT NOT NULL DEFAULT 'none'
)`;

interface Row {
  order_key: string;
  provider: string;
  order_id: string;
  reference: string | null;
  outcome: string;
  final: number;
  status: string | null;
  observation: string | null;
  transitions: string;
  workflow_id: string;
  occurred_at: string;
  recorded_at: string;
  callback: string;
}

function toLedgerRow(row: Row): LedgerRow {
  return {
    orderKey: row.order_key,
    provider: row.provider as LedgerRow['provider'],
    orderId: row.order_id,
    reference: row.reference,
    outcome: row.outcome as LedgerRow['outcome'],
    final: row.final === 1,
    status: row.status,
    observation: row.observation === null ? null : JSON.parse(row.observation),
    transitions: JSON.parse(row.transitions),
    workflowId: row.workflow_id,
    occurredAt: row.occurred_at,
    recordedAt: row.recorded_at,
    callback: row.callback as LedgerRow['callback'],
  };
}

/** The default ledger: one SQLite file, written in transactions (WAL so readers never block). */
export function openSqliteLedger(file: string): Ledger {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  database.exec(SCHEMA);
  const select = database.prepare<[string], Row>('SELECT * FROM order_outcomes WHERE order_key = ?');
  const upsert = database.prepare(`
    INSERT INTO order_outcomes (order_key, provider, order_id, reference, outcome, final, status, observation,
                                transitions, workflow_id, occurred_at, recorded_at)
    VALUES (@order_key, @provider, @order_id, @reference, @outcome, @final, @status, @observation,
            @transitions, @workflow_id, @occurred_at, @recorded_at)
    ON CONFLICT (order_key) DO UPDATE SET
      reference = excluded.reference, outcome = excluded.outcome, final = excluded.final,
      status = excluded.status, observation = excluded.observation, transitions = excluded.transitions,
      workflow_id = excluded.workflow_id, occurred_at = excluded.occurred_at, recorded_at = excluded.recorded_at
    WHERE order_outcomes.final = 0`);

  const recordInTransaction = database.transaction((record: OutcomeRecord): RecordResult => {
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
    });
    return { recorded: true, row: toLedgerRow(select.get(key) as Row) };
  });

  return {
    async record(record) {
      return recordInTransaction.immediate(record);
    },
    async find(provider: ProviderName, orderId: string) {
      const row = select.get(orderKey(provider, orderId));
      return row ? toLedgerRow(row) : undefined;
    },
    async close() {
      database.close();
    },
  };
}
