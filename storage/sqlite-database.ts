import Sqlite from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Database } from './database';
import { sqliteLedger } from './ledger/sqlite-ledger';
import { migrateSqlite } from './migrations/sqlite-migrations';
import { sqliteMembers } from './poll-group-members/sqlite-members';
import { sqlitePushChannels } from './push-channels/sqlite-push-channels';
import { sqliteRequestSlots } from './request-slots/sqlite-request-slots';

/**
 * A connection to the file: WAL, so readers never block the writer; a writer that finds another
 * process's transaction open waits for it up to 5 s rather than failing at once.
 */
function connect(file: string): Sqlite.Database {
  const connection = new Sqlite(file);
  connection.pragma('journal_mode = WAL');
  connection.pragma('busy_timeout = 5000');
  return connection;
}

/**
 * The database on one SQLite file (`DATABASE_URL=sqlite:<file>`), shared by the processes of one
 * machine. Two connections to it: the ledger's, whose commits are durable (an outcome recorded is
 * never lost), which also applies the migrations and holds the push channels' states; and one whose
 * commits need no fsync, for what is worthless or rebuilt after a crash (the request slots; the poll
 * groups' members, which the orders' own polls register again). NORMAL in WAL mode cannot corrupt the
 * file. `:memory:` is one database per connection, so there both are one.
 */
export function openSqliteDatabase(file: string): Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const durable = connect(file);
  let unsynced = durable;
  try {
    migrateSqlite(durable);
    if (file !== ':memory:') {
      unsynced = connect(file);
      unsynced.pragma('synchronous = NORMAL');
    }
  } catch (error) {
    durable.close();
    throw error;
  }
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    if (unsynced !== durable) unsynced.close();
    durable.close();
  };
  const ledger = sqliteLedger(durable);
  return {
    dialect: 'sqlite',
    ledger: { ...ledger, close },
    requestSlots: sqliteRequestSlots(unsynced),
    pushChannels: sqlitePushChannels(durable),
    members: sqliteMembers(unsynced),
    close,
  };
}
