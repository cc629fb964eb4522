import type Database from 'better-sqlite3';
import type { ProviderName } from '../../domain/types';
import { FLOOR_ROW_SQL, type OrderFloor, type RequestSlots, type Reservation, decideReservation, floorRowValues } from './request-slots';

/**
 * The request slots on SQLite (request-slots.ts says what they are), on the database's connection
 * that commits without fsync: a slot is worthless after a crash (sqlite-database.ts).
 */
export function sqliteRequestSlots(database: Database.Database): RequestSlots {
  // Workers sharing a SQLite file share this machine's clock.
  const reserve = database.prepare<{ provider: string; now: number; interval: number }, { next_slot_ms: number }>(
    'INSERT INTO provider_request_slots (provider, next_slot_ms) VALUES (@provider, @now + @interval) ' +
      'ON CONFLICT(provider) DO UPDATE SET next_slot_ms = MAX(next_slot_ms, @now) + @interval RETURNING next_slot_ms',
  );
  const providerSlot = database.prepare<[string], { next_slot_ms: number }>('SELECT next_slot_ms FROM provider_request_slots WHERE provider = ?');
  const member = database.prepare<[string, string], { last_request_ms: number | null }>(
    'SELECT last_request_ms FROM poll_group_members WHERE provider = ? AND order_id = ?',
  );
  const takeSlot = database.prepare(
    'INSERT INTO provider_request_slots (provider, next_slot_ms) VALUES (?, ?) ON CONFLICT(provider) DO UPDATE SET next_slot_ms = excluded.next_slot_ms',
  );
  const markRequest = database.prepare('UPDATE poll_group_members SET last_request_ms = ?, group_checked_ms = CASE WHEN ? = 1 THEN ? ELSE group_checked_ms END WHERE provider = ? AND order_id = ?');
  const markAnswer = database.prepare('UPDATE poll_group_members SET last_request_ms = MAX(COALESCE(last_request_ms, 0), ?) WHERE provider = ? AND order_id = ?');
  const floorRow = database.prepare(FLOOR_ROW_SQL.replace(/\$\d+/g, '?'));
  // One immediate transaction: the floor read and the slot taken cannot interleave with another worker's.
  const reserveFor = database.transaction((provider: ProviderName, intervalMs: number, order: OrderFloor): Reservation => {
    const now = Date.now();
    const row = member.get(provider, order.orderId);
    const decision = decideReservation(now, providerSlot.get(provider)?.next_slot_ms ?? null, row?.last_request_ms ?? null, order.minGapMs);
    if (decision.reserved) {
      takeSlot.run(provider, decision.slot + Math.ceil(intervalMs));
      if (row === undefined) floorRow.run(...floorRowValues(provider, order, now, decision.slot));
      else markRequest.run(decision.slot, order.byGroup ? 1 : 0, decision.slot, provider, order.orderId);
    }
    return { waitMs: decision.slot - now, reserved: decision.reserved };
  });
  return {
    async reserve(provider, intervalMs) {
      const now = Date.now();
      const row = reserve.get({ provider, now, interval: Math.ceil(intervalMs) });
      return Math.max(0, Number(row?.next_slot_ms ?? now) - Math.ceil(intervalMs) - now);
    },
    async reserveFor(provider, intervalMs, order) {
      return reserveFor.immediate(provider, intervalMs, order);
    },
    async answered(provider, orderId, at) {
      markAnswer.run(Math.ceil(at), provider, orderId);
    },
  };
}
