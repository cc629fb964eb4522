import type { Pool } from 'pg';
import type { Transaction } from '../postgres-pool';
import { FLOOR_ROW_SQL, type RequestSlots, decideReservation, floorRowValues } from './request-slots';

const POSTGRES_NOW = '(extract(epoch FROM clock_timestamp()) * 1000)::bigint';

/**
 * The request slots on PostgreSQL (request-slots.ts says what they are), on the database's pool.
 * PostgreSQL's clock orders the slots, so workers on machines whose clocks differ still agree.
 */
export function postgresRequestSlots(pool: Pool, transaction: Transaction): RequestSlots {
  // The row lock of ON CONFLICT serialises concurrent reservations of one provider.
  const statement =
    'WITH clock AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now) ' +
    'INSERT INTO provider_request_slots AS slots (provider, next_slot_ms) SELECT $1, now + $2 FROM clock ' +
    'ON CONFLICT (provider) DO UPDATE SET next_slot_ms = GREATEST(slots.next_slot_ms, (SELECT now FROM clock)) + $2 ' +
    'RETURNING next_slot_ms - $2 - (SELECT now FROM clock) AS wait_ms';
  return {
    async reserve(provider, intervalMs) {
      const result = await pool.query<{ wait_ms: string }>(statement, [provider, Math.ceil(intervalMs)]);
      return Math.max(0, Number(result.rows[0]?.wait_ms ?? 0));
    },
    async reserveFor(provider, intervalMs, order) {
      // The member's row lock first, then the provider's: every reservation takes them in that order.
      return transaction(async (client) => {
        const member = await client.query<{ last_request_ms: string | null; now: string }>(
          `SELECT last_request_ms, ${POSTGRES_NOW} AS now FROM poll_group_members WHERE provider = $1 AND order_id = $2 FOR UPDATE`,
          [provider, order.orderId],
        );
        await client.query('INSERT INTO provider_request_slots (provider, next_slot_ms) VALUES ($1, 0) ON CONFLICT (provider) DO NOTHING', [provider]);
        const slot = await client.query<{ next_slot_ms: string; now: string }>(
          `SELECT next_slot_ms, ${POSTGRES_NOW} AS now FROM provider_request_slots WHERE provider = $1 FOR UPDATE`,
          [provider],
        );
        const now = Number(slot.rows[0]?.now ?? member.rows[0]?.now ?? Date.now());
        const last = member.rows[0]?.last_request_ms;
        const decision = decideReservation(now, Number(slot.rows[0]?.next_slot_ms ?? 0), last === null || last === undefined ? null : Number(last), order.minGapMs);
        if (decision.reserved && member.rows.length === 0) {
          await client.query('UPDATE provider_request_slots SET next_slot_ms = $2 WHERE provider = $1', [provider, decision.slot + Math.ceil(intervalMs)]);
          await client.query(FLOOR_ROW_SQL, floorRowValues(provider, order, now, decision.slot));
        } else if (decision.reserved) {
          await client.query('UPDATE provider_request_slots SET next_slot_ms = $2 WHERE provider = $1', [provider, decision.slot + Math.ceil(intervalMs)]);
          await client.query(
            'UPDATE poll_group_members SET last_request_ms = $3, group_checked_ms = CASE WHEN $4 THEN $3 ELSE group_checked_ms END WHERE provider = $1 AND order_id = $2',
            [provider, order.orderId, decision.slot, order.byGroup === true],
          );
        }
        return { waitMs: decision.slot - now, reserved: decision.reserved };
      });
    },
    async answered(provider, orderId, at) {
      // The worker's clock, as the floor is waited out on it; PostgreSQL's only orders the slots.
      await pool.query('UPDATE poll_group_members SET last_request_ms = GREATEST(COALESCE(last_request_ms, 0), $3) WHERE provider = $1 AND order_id = $2', [provider, orderId, Math.ceil(at)]);
    },
  };
}
