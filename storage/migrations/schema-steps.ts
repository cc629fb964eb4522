/**
 * What the database's numbered schema steps share across SQLite (sqlite-migrations.ts) and
 * PostgreSQL (postgres-migrations.ts): every table of every store. A step that has shipped is never
 * changed, and so neither is its text here.
 *
 * Steps 4 to 6 are tables that older code created itself, each with `CREATE TABLE IF NOT EXISTS`
 * when a process opened its store, outside the numbered steps. Their text is that code's, so over a
 * database where the table is already there a step creates nothing and keeps its rows.
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

/**
 * Step 4: the provider request slots (request-slots/): per provider, the earliest time the next
 * request may go out. As activities/request-slots.ts created it from 70b1d27 on.
 */
export const CREATE_REQUEST_SLOTS_SQL = `CREATE TABLE IF NOT EXISTS provider_request_slots (
  provider TEXT PRIMARY KEY,
  next_slot_ms BIGINT NOT NULL
)`;

/**
 * Step 5: the push channels' states (push-channels/), one row per provider with the lease its
 * writer renews. As activities/push-channels/push-channel-store.ts created it from 0e43110 on; a
 * table made before leases (b374472) gains `expires_at` (its rows read as expired until rewritten).
 */
export const CREATE_PUSH_CHANNELS_SQL = `CREATE TABLE IF NOT EXISTS push_channels (
  provider TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  reason TEXT,
  since BIGINT NOT NULL,
  expires_at BIGINT
)`;
export const PUSH_CHANNELS_LEASE_COLUMN = { name: 'expires_at', type: 'BIGINT' } as const;

/**
 * Step 6: the poll groups' members and every grouped order's floor (poll-group-members/), with the
 * index a group lists its shard by. As activities/poll-groups/member-store.ts created them from
 * bbac384 on.
 */
export const CREATE_POLL_GROUP_MEMBERS_SQL = [
  `CREATE TABLE IF NOT EXISTS poll_group_members (
  provider         TEXT NOT NULL,
  order_id         TEXT NOT NULL,
  shard            INTEGER NOT NULL,
  status           TEXT,
  rank             DOUBLE PRECISION,
  attention        TEXT,
  next_wait_ms     BIGINT,
  min_gap_ms       BIGINT NOT NULL,
  recheck_ms       BIGINT NOT NULL,
  pushes_seen      INTEGER NOT NULL DEFAULT 0,
  deadline_ms      BIGINT NOT NULL,
  registered_ms    BIGINT NOT NULL,
  last_request_ms  BIGINT,
  group_checked_ms BIGINT,
  PRIMARY KEY (provider, order_id)
)`,
  'CREATE INDEX IF NOT EXISTS poll_group_members_shard ON poll_group_members (provider, shard)',
] as const;

/**
 * Step 7: each poll group's loop says it is alive (poll-group-members/loop-store.ts): which activity
 * attempt runs the group and when it last wrote. A worker that finds the row stale hands the group's
 * activity to a new attempt (workers/group-watchdog.ts) long before any heartbeat timeout.
 */
export const CREATE_POLL_GROUP_LOOPS_SQL = `CREATE TABLE IF NOT EXISTS poll_group_loops (
  group_id TEXT PRIMARY KEY,
  owner    TEXT NOT NULL,
  alive_ms BIGINT NOT NULL
)`;

export const STEP_NAMES = {
  1: 'order outcomes',
  2: 'callback body, callback detail and hooks done',
  3: 'provider answers (the audit trail)',
  4: 'provider request slots',
  5: 'push channels',
  6: 'poll group members',
  7: 'poll group loops',
} as const;

/**
 * The applied steps, one row each; the same table in both dialects. Named for the ledger, whose
 * steps came first: databases in use already have it under that name.
 */
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
