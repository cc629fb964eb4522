/**
 * The storage layer's two dialects as the contract and migrations tests see them: a fresh database
 * per test, its DATABASE_URL (opened through openDatabase, as workers do), and plain SQL on it for
 * what the stores' interfaces do not show (the schema, tables made by older code).
 */
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { type PostgresCluster, startPostgresCluster } from '../../harness/servers/postgres';

export interface LedgerDatabase {
  /** What DATABASE_URL takes. */
  url: string;
  execute(sql: string): Promise<void>;
  rows<Row>(sql: string): Promise<Row[]>;
}

export interface LedgerBackend {
  name: string;
  dialect: 'sqlite' | 'postgres';
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A new, empty database. */
  freshDatabase(): Promise<LedgerDatabase>;
  /** The table as code before numbered migrations created it, by the commit that last had it. */
  legacySchemas: Record<string, string>;
}

/** ledger/sqlite-ledger.ts at b4b776a, the last commit before numbered migrations. */
const SQLITE_SCHEMA_B4B776A = `
CREATE TABLE IF NOT EXISTS order_outcomes (
  order_key       TEXT PRIMARY KEY,
  provider        TEXT NOT NULL,
  order_id        TEXT NOT NULL,
  reference       TEXT,
  outcome         TEXT NOT NULL,
  final           INTEGER NOT NULL,
  status          TEXT,
  observation     TEXT,
  transitions     TEXT NOT NULL,
  workflow_id     TEXT NOT NULL,
  occurred_at     TEXT NOT NULL,
  recorded_at     TEXT NOT NULL,
  callback        TEXT NOT NULL DEFAULT 'none',
  callback_body   TEXT,
  callback_detail TEXT,
  hooks_done      TEXT NOT NULL DEFAULT '[]'
)`;

/** ledger/sqlite-ledger.ts at 18b31a3, the first ledger: no callback body, detail or hooks. */
const SQLITE_SCHEMA_18B31A3 = `
CREATE TABLE IF NOT EXISTS order_outcomes (
  order_key    TEXT PRIMARY KEY,
  provider     TEXT NOT NULL,
  order_id     TEXT NOT NULL,
  reference    TEXT,
  outcome      TEXT NOT NULL,
  final        INTEGER NOT NULL,
  status       TEXT,
  observation  TEXT,
  transitions  TEXT NOT NULL,
  workflow_id  TEXT NOT NULL,
  occurred_at  TEXT NOT NULL,
  recorded_at  TEXT NOT NULL,
  callback     TEXT NOT NULL DEFAULT 'none'
)`;

/** ledger/postgres-ledger.ts at b4b776a (the PostgreSQL ledger never had another table). */
const POSTGRES_SCHEMA_B4B776A = `
CREATE TABLE IF NOT EXISTS order_outcomes (
  order_key       TEXT PRIMARY KEY,
  provider        TEXT NOT NULL,
  order_id        TEXT NOT NULL,
  reference       TEXT,
  outcome         TEXT NOT NULL,
  final           BOOLEAN NOT NULL,
  status          TEXT,
  observation     TEXT,
  transitions     TEXT NOT NULL,
  workflow_id     TEXT NOT NULL,
  occurred_at     TEXT NOT NULL,
  recorded_at     TEXT NOT NULL,
  callback        TEXT NOT NULL DEFAULT 'none',
  callback_body   TEXT,
  callback_detail TEXT,
  hooks_done      TEXT NOT NULL DEFAULT '[]'
)`;

export function sqliteBackend(): LedgerBackend {
  let directory = '';
  let count = 0;
  const withFile = <T>(file: string, body: (database: Database.Database) => T): T => {
    mkdirSync(dirname(file), { recursive: true });
    const database = new Database(file);
    try {
      return body(database);
    } finally {
      database.close();
    }
  };
  return {
    name: 'SQLite',
    dialect: 'sqlite',
    async start() {
      directory = mkdtempSync(join(tmpdir(), 'storage-contract-'));
    },
    async stop() {
      rmSync(directory, { recursive: true, force: true });
    },
    async freshDatabase() {
      count += 1;
      // A folder that does not exist yet: openDatabase creates it (storage/sqlite-database.ts).
      const file = join(directory, `database-${count}`, 'ledger.sqlite');
      return {
        url: `sqlite:${file}`,
        execute: async (sql) => withFile(file, (database) => void database.exec(sql)),
        rows: async <Row>(sql: string) => withFile(file, (database) => database.prepare(sql).all() as Row[]),
      };
    },
    legacySchemas: { b4b776a: SQLITE_SCHEMA_B4B776A, '18b31a3': SQLITE_SCHEMA_18B31A3 },
  };
}

export function postgresBackend(): LedgerBackend {
  let cluster: PostgresCluster | undefined;
  let count = 0;
  const withClient = async <T>(url: string, body: (client: Client) => Promise<T>): Promise<T> => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return await body(client);
    } finally {
      await client.end();
    }
  };
  const running = (): PostgresCluster => {
    if (cluster === undefined) throw new Error('the PostgreSQL cluster is not started');
    return cluster;
  };
  return {
    name: 'PostgreSQL',
    dialect: 'postgres',
    async start() {
      cluster = await startPostgresCluster({ database: 'ledger_contract' });
    },
    async stop() {
      await cluster?.stop();
    },
    async freshDatabase() {
      count += 1;
      const database = `ledger_${count}`;
      await withClient(running().url, (client) => client.query(`CREATE DATABASE ${database}`));
      const url = `postgres://postgres@127.0.0.1:${running().port}/${database}`;
      return {
        url,
        execute: async (sql) => withClient(url, async (client) => void (await client.query(sql))),
        rows: async <Row>(sql: string) => withClient(url, async (client) => (await client.query(sql)).rows as Row[]),
      };
    },
    legacySchemas: { b4b776a: POSTGRES_SCHEMA_B4B776A },
  };
}
