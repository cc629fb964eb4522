/** The members' table on SQLite (member-store.ts says what it holds). */
import type Database from 'better-sqlite3';
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

/**
 * On the database's connection that commits without fsync (sqlite-database.ts): membership is
 * rebuilt by the orders' own polls after a crash.
 */
export function sqliteMembers(database: Database.Database): MemberStore {
  const upsert = database.prepare(`INSERT INTO poll_group_members (${COLUMNS.replace(', group_checked_ms', '')}) VALUES (${Array(13).fill('?').join(', ')}) ${UPSERT_TAIL}`);
  const remove = database.prepare('DELETE FROM poll_group_members WHERE provider = ? AND order_id = ?');
  const list = database.prepare<[string, number], Row>(`SELECT ${COLUMNS} FROM poll_group_members WHERE provider = ? AND shard = ?`);
  const find = database.prepare<[string, string], Row>(`SELECT ${COLUMNS} FROM poll_group_members WHERE provider = ? AND order_id = ?`);
  const saveState = database.prepare(`UPDATE poll_group_members ${placeholders(STATE_SET, 'sqlite')}`);
  const markChecked = database.prepare('UPDATE poll_group_members SET group_checked_ms = ? WHERE provider = ? AND order_id = ?');
  const markAll = database.transaction((provider: string, orderIds: readonly string[], at: number) => {
    for (const orderId of orderIds) markChecked.run(at, provider, orderId);
  });
  const pushesSeen = database.prepare('UPDATE poll_group_members SET pushes_seen = 1 WHERE provider = ? AND order_id = ?');
  const expired = database.prepare('DELETE FROM poll_group_members WHERE deadline_ms < ?');
  const claimLoop = database.prepare(placeholders(CLAIM_LOOP_SQL, 'sqlite'));
  const loopAlive = database.prepare(placeholders(LOOP_ALIVE_SQL, 'sqlite'));
  const findLoop = database.prepare<[string], LoopTableRow>(placeholders(FIND_LOOP_SQL, 'sqlite'));
  return {
    async register(member) {
      upsert.run(...registrationValues(member));
    },
    async remove(provider, orderId) {
      remove.run(provider, orderId);
    },
    async list(provider, shard) {
      return list.all(provider, shard).map(fromRow);
    },
    async find(provider, orderId) {
      const row = find.get(provider, orderId);
      return row === undefined ? undefined : fromRow(row);
    },
    async saveState(provider, orderId, state) {
      saveState.run(state.status, state.rank, state.attention, state.nextWaitMs, provider, orderId);
    },
    async markChecked(provider, orderIds, at) {
      if (orderIds.length > 0) markAll(provider, orderIds, Math.ceil(at));
    },
    async setPushesSeen(provider, orderId) {
      pushesSeen.run(provider, orderId);
    },
    async removeExpired(now) {
      expired.run(now - EXPIRED_AFTER_MS);
    },
    async claimLoop(groupId, owner, at) {
      claimLoop.run(groupId, owner, Math.ceil(at));
    },
    async loopAlive(groupId, owner, at) {
      return loopAlive.run(Math.ceil(at), groupId, owner).changes > 0;
    },
    async findLoop(groupId) {
      const row = findLoop.get(groupId);
      return row === undefined ? undefined : fromLoopRow(row);
    },
  };
}
