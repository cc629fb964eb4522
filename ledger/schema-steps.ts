/**
 * What the ledger's numbered schema steps share across SQLite (sqlite-migrations.ts) and PostgreSQL
 * (postgres-migrations.ts). A step that has shipped is never changed, and so neither is its text here.
 */

/** Step 1: the one table, one row per order. The dialects differ only in how `final` is stored. */
export function createOrderOutcomesSql(booleanType: 'BOOLEAN' | 'INTEGER'): string {
  return `CREATE TABLE IF NOT EXISTS order_outcomes (
    order_key    TEXT PRIMARY KEY,
    provider     TEXT NOT NULL,
    order_id     TEXT NOT NULL,
    reference    TEXT,
    outcome      TEXT NOT NULL,
    final        ${booleanType} NOT NULL,
    status       TEXT,
    observation  TEXT,
    transitions  TEXT NOT NULL,
    workflow_id  TEXT NOT NULL,
    occurred_at  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    callback     TEXT NOT NULL DEFAULT 'none'
  )`;
}

/** Step 2's columns: the callback body fixed at record time, the last delivery's detail, the hooks done. */
export const STEP_2_COLUMNS: readonly { name: string; type: string }[] = [
  { name: 'callback_body', type: 'TEXT' },
  { name: 'callback_detail', type: 'TEXT' },
  { name: 'hooks_done', type: "TEXT NOT NULL DEFAULT '[]'" },
];

/**
 * Step 3: the audit trail (provider-answers.ts), every provider answer that changed an order, kept
 * whole (redacted), newest last per order. The dialects differ only in how the id counts.
 */
export function createProviderAnswersSql(idColumn: 'INTEGER PRIMARY KEY AUTOINCREMENT' | 'BIGSERIAL PRIMARY KEY'): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS provider_answers (
    id           ${idColumn},
    order_key    TEXT NOT NULL,
    provider     TEXT NOT NULL,
    order_id     TEXT NOT NULL,
    source       TEXT NOT NULL,
    status       TEXT NOT NULL,
    digest       TEXT NOT NULL,
    answer       TEXT NOT NULL,
    received_at  TEXT NOT NULL
  )`,
    'CREATE INDEX IF NOT EXISTS provider_answers_by_order ON provider_answers (order_key, id)',
    'CREATE INDEX IF NOT EXISTS provider_answers_by_time ON provider_answers (received_at)',
  ];
}

export const STEP_NAMES = { 1: 'order outcomes', 2: 'callback body, callback detail and hooks done', 3: 'provider answers (the audit trail)' } as const;

/** The applied steps, one row each; the same table in both dialects. */
export const CREATE_LEDGER_MIGRATIONS_SQL = `CREATE TABLE IF NOT EXISTS ledger_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;

export const RECORD_STEP_SQL = {
  sqlite: 'INSERT INTO ledger_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  postgres: 'INSERT INTO ledger_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
} as const;

export const APPLIED_VERSION_SQL = 'SELECT coalesce(max(version), 0) AS version FROM ledger_migrations';
