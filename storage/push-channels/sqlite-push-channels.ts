import type Database from 'better-sqlite3';
import { PUSH_CHANNEL_LEASE_MS } from './push-channel-state';
import { type PushChannelStore, type Row, fromRow } from './push-channel-store';

/** On the database's SQLite connection (sqlite-database.ts): one machine, one clock. */
export function sqlitePushChannels(database: Database.Database): PushChannelStore {
  const upsert = database.prepare(
    'INSERT INTO push_channels (provider, state, reason, since, expires_at) VALUES (@provider, @state, @reason, @since, @expiresAt) ' +
      'ON CONFLICT(provider) DO UPDATE SET state = excluded.state, reason = excluded.reason, since = excluded.since, expires_at = excluded.expires_at',
  );
  const selectAll = database.prepare('SELECT provider, state, reason, since, expires_at > @now AS live FROM push_channels');
  return {
    async write(status, leaseMs = PUSH_CHANNEL_LEASE_MS) {
      upsert.run({ ...status, expiresAt: Date.now() + leaseMs });
    },
    async readAll() {
      return (selectAll.all({ now: Date.now() }) as Row[]).flatMap((row) => fromRow(row) ?? []);
    },
  };
}
