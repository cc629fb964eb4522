/** The members' table on PostgreSQL (member-store.ts says what it holds). */
import type { Pool } from 'pg';
import {
  CLAIM_LOOP_SQL,
  COLUMNS,
  EXPIRED_AFTER_MS,
  FIND_LOOP_SQL,
  LOOP_ALIVE_SQL,
  type LoopTableRow,
  type MemberStore,
  type Row,
  STATE_SET,
  UPSERT_TAIL,
  fromLoopRow,
  fromRow,
  placeholders,
  registrationValues,
} from './member-store';

/** On the database's pool (postgres-database.ts). */
export function postgresMembers(pool: Pool): MemberStore {
  const values = Array.from({ length: 13 }, (_value, index) => `$${index + 1}`).join(', ');
  return {
    async register(member) {
      await pool.query(`INSERT INTO poll_group_members (${COLUMNS.replace(', group_checked_ms', '')}) VALUES (${values}) ${UPSERT_TAIL}`, registrationValues(member));
    },
    async remove(provider, orderId) {
      await pool.query('DELETE FROM poll_group_members WHERE provider = $1 AND order_id = $2', [provider, orderId]);
    },
    async list(provider, shard) {
      const result = await pool.query<Row>(`SELECT ${COLUMNS} FROM poll_group_members WHERE provider = $1 AND shard = $2`, [provider, shard]);
      return result.rows.map(fromRow);
    },
    async find(provider, orderId) {
      const result = await pool.query<Row>(`SELECT ${COLUMNS} FROM poll_group_members WHERE provider = $1 AND order_id = $2`, [provider, orderId]);
      return result.rows[0] === undefined ? undefined : fromRow(result.rows[0]);
    },
    async saveState(provider, orderId, state) {
      await pool.query(`UPDATE poll_group_members ${placeholders(STATE_SET, 'postgres')}`, [state.status, state.rank, state.attention, state.nextWaitMs, provider, orderId]);
    },
    async markChecked(provider, orderIds, at) {
      if (orderIds.length === 0) return;
      await pool.query('UPDATE poll_group_members SET group_checked_ms = $1 WHERE provider = $2 AND order_id = ANY($3)', [Math.ceil(at), provider, orderIds]);
    },
    async setPushesSeen(provider, orderId) {
      await pool.query('UPDATE poll_group_members SET pushes_seen = 1 WHERE provider = $1 AND order_id = $2', [provider, orderId]);
    },
    async removeExpired(now) {
      await pool.query('DELETE FROM poll_group_members WHERE deadline_ms < $1', [now - EXPIRED_AFTER_MS]);
    },
    async claimLoop(groupId, owner, at) {
      await pool.query(placeholders(CLAIM_LOOP_SQL, 'postgres'), [groupId, owner, Math.ceil(at)]);
    },
    async loopAlive(groupId, owner, at) {
      const result = await pool.query(placeholders(LOOP_ALIVE_SQL, 'postgres'), [Math.ceil(at), groupId, owner]);
      return (result.rowCount ?? 0) > 0;
    },
    async findLoop(groupId) {
      const result = await pool.query<LoopTableRow>(placeholders(FIND_LOOP_SQL, 'postgres'), [groupId]);
      return result.rows[0] === undefined ? undefined : fromLoopRow(result.rows[0]);
    },
  };
}
