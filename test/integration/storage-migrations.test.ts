/**
 * The storage layer's numbered migrations over both dialects, on real databases, for every table:
 * a fresh one gets every step, table and index; today's database (the ledger's steps 1–3 recorded,
 * the request slots', push channels' and members' tables made by their stores' own `IF NOT EXISTS`,
 * rows in each) and a ledger made before numbered migrations both end at the last step with the
 * fresh schema and their rows; opening again changes nothing; processes opening one database at
 * once all start.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Database } from '../../storage/database';
import type { Ledger, LedgerRow } from '../../storage/ledger/ledger';
import { STORED_COLUMNS } from '../../storage/ledger/ledger-row';
import { openDatabase } from '../../storage/open-database';
import { LEASE_EXPIRED_REASON } from '../../storage/push-channels/push-channel-state';
import { POSTGRES_MIGRATIONS } from '../../storage/migrations/postgres-migrations';
import type { Observation } from '../../domain/types';
import { cleanEnvironment } from '../../harness/cli-process';
import { type LedgerBackend, type LedgerDatabase, postgresBackend, sqliteBackend } from '../helpers/ledger-backends';
import { EVERY_INDEX, EVERY_TABLE, PUSH_CHANNELS_BEFORE_LEASES, TODAYS_DEADLINE_MS, todaysDatabase } from '../helpers/todays-schema';

/** Installing PostgreSQL from Debian on a fresh machine takes a while. */
const START_TIMEOUT_MS = 12 * 60_000;
const PROJECT_ROOT = join(__dirname, '..', '..');
/** Both lists have the same steps (test/unit/storage-migrations.test.ts). */
const EVERY_STEP = POSTGRES_MIGRATIONS.map(({ version, name }) => ({ version, name }));

interface AppliedStep {
  version: number;
  name: string;
  applied_at: string;
}

const OBSERVATION: Observation = {
  status: 'VALID_CHANNEL_OPENING',
  phase: 'succeeded',
  recognised: true,
  rank: 100,
  nextWaitMs: 10_000,
  details: { channel_id: '800000x1x0' },
};

/** The row as the code before numbered migrations wrote it; the later columns only where its table had them. */
function legacyInsert(withLaterColumns: boolean): string {
  const later = withLaterColumns ? `, callback_body, callback_detail, hooks_done` : '';
  const laterValues = withLaterColumns ? `, '{"outcome":"succeeded"}', NULL, '["magma:legacy:succeeded:onSucceeded"]'` : '';
  return `INSERT INTO order_outcomes (order_key, provider, order_id, reference, outcome, final, status, observation,
      transitions, workflow_id, occurred_at, recorded_at, callback${later})
    VALUES ('magma:legacy', 'magma', 'legacy', 'invoice-7', 'succeeded', TRUE, 'VALID_CHANNEL_OPENING',
      '${JSON.stringify(OBSERVATION)}', '[{"status":"VALID_CHANNEL_OPENING","at":"2026-06-01T00:00:00.000Z","source":"poll"}]',
      'order:magma:legacy', '2026-06-01T00:00:00.000Z', '2026-06-01T00:00:01.000Z', 'delivered'${laterValues})`;
}

function legacyRow(withLaterColumns: boolean): LedgerRow {
  return {
    orderKey: 'magma:legacy',
    provider: 'magma',
    orderId: 'legacy',
    reference: 'invoice-7',
    outcome: 'succeeded',
    final: true,
    status: 'VALID_CHANNEL_OPENING',
    observation: OBSERVATION,
    transitions: [{ status: 'VALID_CHANNEL_OPENING', at: '2026-06-01T00:00:00.000Z', source: 'poll' }],
    workflowId: 'order:magma:legacy',
    occurredAt: '2026-06-01T00:00:00.000Z',
    recordedAt: '2026-06-01T00:00:01.000Z',
    callback: 'delivered',
    callbackBody: withLaterColumns ? '{"outcome":"succeeded"}' : null,
    callbackDetail: null,
    hooksDone: withLaterColumns ? ['magma:legacy:succeeded:onSucceeded'] : [],
  };
}

/** test/helpers/ledger-process.ts with no input: opens the ledger, says ready, closes it and exits. */
function openInAnotherProcess(databaseUrl: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', join(PROJECT_ROOT, 'test', 'helpers', 'ledger-process.ts')], {
    cwd: PROJECT_ROOT,
    env: cleanEnvironment({ DATABASE_URL: databaseUrl }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** The schema as the database reports it: each table's columns in order, and the indexes. */
interface Schema {
  tables: Record<string, string[]>;
  indexes: string[];
}

async function schemaOf(backend: LedgerBackend, database: LedgerDatabase): Promise<Schema> {
  const names = async (sql: string) => (await database.rows<{ name: string }>(sql)).map((row) => row.name).sort();
  const sqlite = backend.dialect === 'sqlite';
  const tables = await names(
    sqlite ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'" : "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'",
  );
  const indexes = await names(
    sqlite
      ? "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%'"
      : "SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%_pkey'",
  );
  const columns = async (table: string) =>
    (
      await database.rows<{ name: string }>(
        sqlite ? `PRAGMA table_info(${table})` : `SELECT column_name AS name FROM information_schema.columns WHERE table_name = '${table}' ORDER BY ordinal_position`,
      )
    ).map((row) => row.name);
  return { tables: Object.fromEntries(await Promise.all(tables.map(async (table) => [table, await columns(table)]))), indexes };
}

describe.each([sqliteBackend(), postgresBackend()])('the $name database migrations', (backend: LedgerBackend) => {
  let database: LedgerDatabase;
  const opened: Database[] = [];
  /** A fresh database's schema after openDatabase: what every upgraded one must end with too. */
  let freshSchema: Schema;

  async function openStores(): Promise<Database> {
    const stores = await openDatabase(database.url);
    opened.push(stores);
    return stores;
  }
  const open = async (): Promise<Ledger> => (await openStores()).ledger;

  const appliedSteps = () => database.rows<AppliedStep>('SELECT version, name, applied_at FROM ledger_migrations ORDER BY version');
  const stepNames = async () => (await appliedSteps()).map(({ version, name }) => ({ version, name }));

  beforeAll(async () => {
    await backend.start();
    database = await backend.freshDatabase();
    await (await openDatabase(database.url)).close();
    freshSchema = await schemaOf(backend, database);
  }, START_TIMEOUT_MS);
  afterAll(() => backend.stop());
  beforeEach(async () => {
    database = await backend.freshDatabase();
  });
  afterEach(async () => {
    for (const stores of opened.splice(0)) await stores.close().catch(() => undefined);
  });

  it('gives a fresh database every step, every table and index, and the ledger every column it writes', async () => {
    const ledger = await open();
    expect(await stepNames()).toEqual(EVERY_STEP);
    expect(Object.keys(freshSchema.tables)).toEqual(EVERY_TABLE);
    expect(freshSchema.indexes).toEqual(EVERY_INDEX);
    await ledger.record({
      provider: 'magma',
      orderId: 'fresh',
      reference: null,
      outcome: 'timed_out',
      observation: null,
      transitions: [],
      workflowId: 'order:magma:fresh',
      occurredAt: '2026-06-01T00:00:00.000Z',
    });
    const [row] = await database.rows<Record<string, unknown>>('SELECT * FROM order_outcomes');
    expect(Object.keys(row ?? {}).sort()).toEqual([...STORED_COLUMNS].sort());
  });

  it("upgrades today's database (steps 1–3 recorded, the other stores' tables made by their own code), keeping every table's rows", async () => {
    await database.execute(todaysDatabase(backend.dialect).join(';\n'));
    const before = await appliedSteps();

    const stores = await openStores();
    expect(await schemaOf(backend, database)).toEqual(freshSchema);
    expect(await stepNames()).toEqual(EVERY_STEP);
    expect((await appliedSteps()).slice(0, 3)).toEqual(before);
    expect(await stores.ledger.find('magma', 'today')).toMatchObject({ outcome: 'failed', final: true, callback: 'delivered', callbackBody: '{"outcome":"failed"}' });
    expect(await stores.ledger.answers('magma', 'today')).toEqual([
      { provider: 'magma', orderId: 'today', source: 'poll', status: 'ADMIN_CLOSED', digest: 'digest-today', answer: { status: 'ADMIN_CLOSED' }, receivedAt: '2026-11-30T00:00:00.000Z' },
    ]);
    expect(await stores.pushChannels.readAll()).toEqual([{ provider: 'ozzobit', state: 'up', reason: null, since: 1_000 }]);
    expect(await stores.members.find('miraclecash', 'today')).toMatchObject({ shard: 2, status: 'pending', registeredMs: 1_000, lastRequestMs: 2_000, groupCheckedMs: 3_000 });
    // The provider's slot kept: the next request waits for it (far in the future on purpose).
    expect(await stores.requestSlots.reserve('houdini', 1_000)).toBeGreaterThan(TODAYS_DEADLINE_MS - Date.now() - 60_000);
    // And the upgraded tables take new rows whole.
    expect((await stores.ledger.keepAnswer({ provider: 'magma', orderId: 'today', source: 'push', status: 'X', digest: 'new', answer: {}, receivedAt: '2026-12-01T00:00:00.000Z' }, 10))).toBe(true);
    await stores.members.markChecked('miraclecash', ['today'], 4_000);
    expect((await stores.members.find('miraclecash', 'today'))?.groupCheckedMs).toBe(4_000);
  });

  it('upgrades push channels made before leases: the lease column added, their rows read as down until rewritten', async () => {
    await database.execute(todaysDatabase(backend.dialect).filter((statement) => !statement.includes('push_channels')).join(';\n'));
    await database.execute(PUSH_CHANNELS_BEFORE_LEASES);
    await database.execute("INSERT INTO push_channels (provider, state, reason, since) VALUES ('houdini', 'up', NULL, 500)");

    const { pushChannels } = await openStores();
    expect(await schemaOf(backend, database)).toEqual(freshSchema);
    expect(await pushChannels.readAll()).toEqual([{ provider: 'houdini', state: 'down', reason: LEASE_EXPIRED_REASON, since: 500 }]);
    await pushChannels.write({ provider: 'houdini', state: 'up', reason: null, since: 600 });
    expect(await pushChannels.readAll()).toEqual([{ provider: 'houdini', state: 'up', reason: null, since: 600 }]);
  });

  it.each(Object.entries(backend.legacySchemas))(
    'upgrades a ledger made by the code of %s (no ledger_migrations) and keeps its rows',
    async (_commit, schema) => {
      const withLaterColumns = schema.includes('hooks_done');
      await database.execute(schema);
      await database.execute(legacyInsert(withLaterColumns));

      const ledger = await open();
      expect(await ledger.find('magma', 'legacy')).toEqual(legacyRow(withLaterColumns));
      expect(await stepNames()).toEqual(EVERY_STEP);
      expect(Object.keys((await schemaOf(backend, database)).tables)).toEqual(EVERY_TABLE);
      // The old row still holds its final outcome, and the upgraded table takes new rows whole.
      const later = await ledger.record({ ...legacyRow(false), occurredAt: '2026-06-02T00:00:00.000Z', outcome: 'failed', observation: null });
      expect(later).toEqual({ recorded: false, row: legacyRow(withLaterColumns) });
      expect(await ledger.markHookDone('magma', 'legacy', 'after-upgrade')).toBe(true);
    },
  );

  it("changes nothing when opened again, and every store's rows are still there", async () => {
    const first = await openStores();
    const recorded = await first.ledger.record({ ...legacyRow(false), observation: OBSERVATION, transitions: [] });
    await first.ledger.keepAnswer({ provider: 'magma', orderId: 'legacy', source: 'poll', status: 'A', digest: 'a', answer: {}, receivedAt: '2026-06-01T00:00:00.000Z' }, 10);
    await first.pushChannels.write({ provider: 'ozzobit', state: 'connecting', reason: 'socket closed', since: 7 }, 60_000);
    await first.requestSlots.reserveFor('magma', 60_000, { orderId: 'floor', minGapMs: 5_000 });
    const steps = await appliedSteps();
    await first.close();

    const again = await openStores();
    expect(await appliedSteps()).toEqual(steps);
    expect(await schemaOf(backend, database)).toEqual(freshSchema);
    expect(await again.ledger.find('magma', 'legacy')).toEqual(recorded.row);
    expect(await again.ledger.lastAnswerDigest('magma', 'legacy')).toBe('a');
    expect(await again.pushChannels.readAll()).toEqual([{ provider: 'ozzobit', state: 'connecting', reason: 'socket closed', since: 7 }]);
    expect((await again.members.find('magma', 'floor'))?.lastRequestMs).toEqual(expect.any(Number));
    expect(await again.requestSlots.reserve('magma', 60_000)).toBeGreaterThan(0);
  });

  it('lets processes open one fresh database at the same moment, each step applied once', async () => {
    const [processes, databases] = await Promise.all([
      Promise.all([1, 2, 3].map(() => openInAnotherProcess(database.url))),
      // As the cluster test's workers and ingress start: many openers of a fresh database at once.
      Promise.all(Array.from({ length: 8 }, () => openStores())),
    ]);
    for (const run of processes) expect(run).toMatchObject({ code: 0, stdout: 'ready\n' });
    expect(databases).toHaveLength(8);
    expect(await stepNames()).toEqual(EVERY_STEP);
    expect(await schemaOf(backend, database)).toEqual(freshSchema);
    await databases[0]?.pushChannels.write({ provider: 'ozzobit', state: 'up', reason: null, since: 1 });
    for (const opened of databases) expect(await opened.pushChannels.readAll()).toEqual([expect.objectContaining({ provider: 'ozzobit', state: 'up' })]);
  });
});
