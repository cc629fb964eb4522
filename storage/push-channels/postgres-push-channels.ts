import type { Pool } from 'pg';
import { PUSH_CHANNEL_LEASE_MS } from './push-channel-state';
import { type PushChannelStore, type Row, fromRow } from './push-channel-store';

/** PostgreSQL's clock, in epoch milliseconds: the one clock every writer and reader of a lease shares. */
const DATABASE_NOW_MS = '(extract(epoch FROM clock_timestamp()) * 1000)::bigint';

/** On the database's pool (postgres-database.ts). */
export function postgresPushChannels(pool: Pool): PushChannelStore {
  return {
    async write(status, leaseMs = PUSH_CHANNEL_LEASE_MS) {
      await pool.query(
        `INSERT INTO push_channels (provider, state, reason, since, expires_at) VALUES ($1, $2, $3, $4, ${DATABASE_NOW_MS} + $5) ` +
          'ON CONFLICT (provider) DO UPDATE SET state = excluded.state, reason = excluded.reason, since = excluded.since, expires_at = excluded.expires_at',
        [status.provider, status.state, status.reason, status.since, Math.ceil(leaseMs)],
      );
    },
    async readAll() {
      const result = await pool.query<Row>(`SELECT provider, state, reason, since, COALESCE(expires_at > ${DATABASE_NOW_MS}, false) AS live FROM push_channels`);
      return result.rows.flatMap((row) => fromRow(row) ?? []);
    },
  };
}
