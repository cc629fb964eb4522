/**
 * A database as the code before the storage layer (0787e0c) left it, for the migrations test to
 * upgrade: the ledger's numbered steps 1 to 3 applied and recorded, and the tables the stores then
 * created themselves with `CREATE TABLE IF NOT EXISTS`, recorded nowhere (the request slots, the push
 * channels, the poll groups' members), each with rows in it. The text is that code's, copied here on
 * purpose: a later change to a migration step must not change what "today's database" was.
 */

export type Dialect = 'sqlite' | 'postgres';

/** The ledger as 0787e0c's steps 1–3 left it (step 2's columns added at the end of the table). */
function ledgerTables(dialect: Dialect): string[] {
  const final = dialect === 'sqlite' ? 'INTEGER' : 'BOOLEAN';
  const id = dialect === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGSERIAL PRIMARY KEY';
  return [
    `CREATE TABLE order_outcomes (order_key TEXT PRIMARY KEY, provider TEXT NOT NULL, order_id TEXT NOT NULL, reference TEXT,
      outcome TEXT NOT NULL, final ${final} NOT NULL, status TEXT, observation TEXT, transitions TEXT NOT NULL, workflow_id TEXT NOT NULL,
      occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL, callback TEXT NOT NULL DEFAULT 'none',
      callback_body TEXT, callback_detail TEXT, hooks_done TEXT NOT NULL DEFAULT '[]')`,
    `CREATE TABLE provider_answers (id ${id}, order_key TEXT NOT NULL, provider TEXT NOT NULL, order_id TEXT NOT NULL,
      source TEXT NOT NULL, status TEXT NOT NULL, digest TEXT NOT NULL, answer TEXT NOT NULL, received_at TEXT NOT NULL)`,
    'CREATE INDEX provider_answers_by_order ON provider_answers (order_key, id)',
    'CREATE INDEX provider_answers_by_time ON provider_answers (received_at)',
    'CREATE TABLE ledger_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    `INSERT INTO ledger_migrations (version, name, applied_at) VALUES
      (1, 'order outcomes', '2026-11-01T00:00:00.000Z'),
      (2, 'callback body, callback detail and hooks done', '2026-11-01T00:00:00.000Z'),
      (3, 'provider answers (the audit trail)', '2026-11-20T00:00:00.000Z')`,
  ];
}

/** activities/request-slots.ts at 0787e0c (from 70b1d27 on). */
const REQUEST_SLOTS = `CREATE TABLE IF NOT EXISTS provider_request_slots (
  provider TEXT PRIMARY KEY,
  next_slot_ms BIGINT NOT NULL
)`;

/** activities/push-channels/push-channel-store.ts at 0787e0c (leases since 0e43110). */
const PUSH_CHANNELS = `CREATE TABLE IF NOT EXISTS push_channels (
  provider TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  reason TEXT,
  since BIGINT NOT NULL,
  expires_at BIGINT
)`;

/** The same at b374472, before leases: no `expires_at`. */
export const PUSH_CHANNELS_BEFORE_LEASES = `CREATE TABLE IF NOT EXISTS push_channels (
  provider TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  reason TEXT,
  since BIGINT NOT NULL
)`;

/** activities/poll-groups/member-store.ts at 0787e0c (from bbac384 on), with its shard index. */
const POLL_GROUP_MEMBERS = [
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
];

/** Far enough ahead that nothing expires while the test runs. */
export const TODAYS_DEADLINE_MS = 4_102_444_800_000; // 2100-01-01

/** One row in each table, as that code wrote them; the test reads each back through today's stores. */
function rows(dialect: Dialect): string[] {
  const final = dialect === 'sqlite' ? '1' : 'TRUE';
  return [
    `INSERT INTO order_outcomes (order_key, provider, order_id, reference, outcome, final, status, observation, transitions,
      workflow_id, occurred_at, recorded_at, callback, callback_body, callback_detail, hooks_done)
      VALUES ('magma:today', 'magma', 'today', NULL, 'failed', ${final}, 'ADMIN_CLOSED', NULL, '[]', 'order:magma:today',
      '2026-11-30T00:00:00.000Z', '2026-11-30T00:00:01.000Z', 'delivered', '{"outcome":"failed"}', NULL, '[]')`,
    `INSERT INTO provider_answers (order_key, provider, order_id, source, status, digest, answer, received_at)
      VALUES ('magma:today', 'magma', 'today', 'poll', 'ADMIN_CLOSED', 'digest-today', '{"status":"ADMIN_CLOSED"}', '2026-11-30T00:00:00.000Z')`,
    `INSERT INTO provider_request_slots (provider, next_slot_ms) VALUES ('houdini', ${TODAYS_DEADLINE_MS})`,
    `INSERT INTO push_channels (provider, state, reason, since, expires_at) VALUES ('ozzobit', 'up', NULL, 1000, ${TODAYS_DEADLINE_MS})`,
    `INSERT INTO poll_group_members (provider, order_id, shard, status, rank, attention, next_wait_ms, min_gap_ms, recheck_ms,
      pushes_seen, deadline_ms, registered_ms, last_request_ms, group_checked_ms)
      VALUES ('miraclecash', 'today', 2, 'pending', 1, NULL, 30000, 5000, 60000, 0, ${TODAYS_DEADLINE_MS}, 1000, 2000, 3000)`,
  ];
}

/** Every statement that makes today's database, tables then rows. */
export function todaysDatabase(dialect: Dialect): string[] {
  return [...ledgerTables(dialect), REQUEST_SLOTS, PUSH_CHANNELS, ...POLL_GROUP_MEMBERS, ...rows(dialect)];
}

/** Every table the storage layer keeps, with the index each store reads by. */
export const EVERY_TABLE = ['ledger_migrations', 'order_outcomes', 'poll_group_loops', 'poll_group_members', 'provider_answers', 'provider_request_slots', 'push_channels'];
export const EVERY_INDEX = ['poll_group_members_shard', 'provider_answers_by_order', 'provider_answers_by_time'];
