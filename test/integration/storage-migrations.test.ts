/**
 * The ledger's numbered migrations over both backends, on real databases: a fresh one gets every
 * step; one made by the code before numbered migrations keeps its rows and ends at the last step;
 * opening again changes nothing; processes opening one database at once all start.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Ledger, LedgerRow } from '../../storage/ledger/ledger';
import { STORED_COLUMNS } from '../../storage/ledger/ledger-row';
import { openLedger } from '../../storage/open-database';
import { POSTGRES_MIGRATIONS } from '../../storage/migrations/postgres-migrations';
import type { Observation } from '../../domain/types';
import { cleanEnvironment } from '../helpers/cli-process';
import { type LedgerBackend, type LedgerDatabase, postgresBackend, sqliteBackend } from '../helpers/ledger-backends';

/** Installing PostgreSQL from Debian on a fresh machine takes a while. */
const START_TIMEOUT_MS = 12 * 60_000;
const PROJECT_ROOT = join(__dirname, '..', '..');
/** Both lists have the same steps (test/unit/ledger-migrations.test.ts). */
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

describe.each([sqliteBackend(), postgresBackend()])('the $name ledger migrations', (backend: LedgerBackend) => {
  let database: LedgerDatabase;
  const opened: Ledger[] = [];

  async function open(): Promise<Ledger> {
    const ledger = await openLedger(database.url);
    opened.push(ledger);
    return ledger;
  }

  const appliedSteps = () => database.rows<AppliedStep>('SELECT version, name, applied_at FROM ledger_migrations ORDER BY version');

  beforeAll(() => backend.start(), START_TIMEOUT_MS);
  afterAll(() => backend.stop());
  beforeEach(async () => {
    database = await backend.freshDatabase();
  });
  afterEach(async () => {
    for (const ledger of opened.splice(0)) await ledger.close().catch(() => undefined);
  });

  it('gives a fresh database every step, and the table every column the ledger writes', async () => {
    const ledger = await open();
    expect((await appliedSteps()).map(({ version, name }) => ({ version, name }))).toEqual(EVERY_STEP);
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

  it.each(Object.entries(backend.legacySchemas))(
    'upgrades a database made by the code of %s (no ledger_migrations) and keeps its rows',
    async (_commit, schema) => {
      const withLaterColumns = schema.includes('hooks_done');
      await database.execute(schema);
      await database.execute(legacyInsert(withLaterColumns));

      const ledger = await open();
      expect(await ledger.find('magma', 'legacy')).toEqual(legacyRow(withLaterColumns));
      expect((await appliedSteps()).map(({ version, name }) => ({ version, name }))).toEqual(EVERY_STEP);
      // The old row still holds its final outcome, and the upgraded table takes new rows whole.
      const later = await ledger.record({ ...legacyRow(false), occurredAt: '2026-06-02T00:00:00.000Z', outcome: 'failed', observation: null });
      expect(later).toEqual({ recorded: false, row: legacyRow(withLaterColumns) });
      expect(await ledger.markHookDone('magma', 'legacy', 'after-upgrade')).toBe(true);
    },
  );

  it('changes nothing when opened again', async () => {
    const first = await open();
    const recorded = await first.record({ ...legacyRow(false), observation: OBSERVATION, transitions: [] });
    const steps = await appliedSteps();
    await first.close();

    const again = await open();
    expect(await appliedSteps()).toEqual(steps);
    expect(await again.find('magma', 'legacy')).toEqual(recorded.row);
  });

  it('lets processes open one fresh database at the same moment, each step applied once', async () => {
    const [processes, ledgers] = await Promise.all([
      Promise.all([1, 2, 3].map(() => openInAnotherProcess(database.url))),
      Promise.all([1, 2, 3].map(() => open())),
    ]);
    for (const run of processes) expect(run).toMatchObject({ code: 0, stdout: 'ready\n' });
    expect(ledgers).toHaveLength(3);
    expect((await appliedSteps()).map(({ version, name }) => ({ version, name }))).toEqual(EVERY_STEP);
  });
});
