/**
 * The PostgreSQL ledger on a real throwaway cluster.
 *
 * A PostgreSQL restart, failover or idle-session kill must never crash a process that holds the
 * ledger (issue 14, item 2). A real throwaway cluster; the ledger lives in a child process (as in a
 * worker or the ingress), and every backend of its database is terminated with
 * `pg_terminate_backend` while the ledger holds an idle connection. node-postgres reports that as an
 * `'error'` event on the pool: unheard, it kills the process. The process must live on, and its
 * next write must succeed on a new connection.
 *
 * What the ledger records is the same on both backends: storage-contract.test.ts tests it over both.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { cleanEnvironment } from '../../harness/cli-process';
import { openDatabase } from '../../storage/open-database';
import type { RequestSlots } from '../../storage/request-slots/request-slots';
import { type PostgresCluster, startPostgresCluster } from '../../harness/servers/postgres';

const PROJECT_ROOT = join(__dirname, '..', '..');
/** Installing PostgreSQL from Debian on a fresh machine takes a while. */
const TEST_TIMEOUT_MS = 12 * 60_000;

class LedgerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly exited: Promise<string>;

  constructor(databaseUrl: string) {
    this.child = spawn(process.execPath, ['-r', 'tsx/cjs', join(PROJECT_ROOT, 'test', 'helpers', 'ledger-process.ts')], {
      cwd: PROJECT_ROOT,
      env: cleanEnvironment({ DATABASE_URL: databaseUrl }),
    });
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve(`exited with ${signal ?? `code ${code}`}`)));
  }

  /** Resolves when stdout or stderr has `text`, or with the exit when the process ended first. */
  async waitFor(stream: 'stdout' | 'stderr', text: string): Promise<'seen' | string> {
    let seen: () => void = () => undefined;
    const check = () => this[stream].includes(text) && seen();
    const found = new Promise<'seen'>((resolve) => {
      seen = () => resolve('seen');
      this.child[stream].on('data', check);
      check();
    });
    try {
      return await Promise.race([found, this.exited]);
    } finally {
      this.child[stream].off('data', check);
    }
  }

  async record(orderId: string): Promise<string> {
    this.child.stdin.write(`record ${orderId}\n`);
    const line = new RegExp(`^(recorded|failed) ${orderId}.*$`, 'm');
    const answer = await Promise.race([
      new Promise<string>((resolve) => {
        const check = () => {
          const match = line.exec(this.stdout);
          if (match) {
            this.child.stdout.off('data', check);
            resolve(match[0]);
          }
        };
        this.child.stdout.on('data', check);
        check();
      }),
      this.exited,
    ]);
    return answer;
  }
}

let cluster: PostgresCluster | undefined;

let ledgerProcess: LedgerProcess | undefined;

beforeAll(async () => {
  cluster = await startPostgresCluster({ database: 'blip' });
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  ledgerProcess?.child.kill('SIGKILL');
  await cluster?.stop();
});

test(
  'terminating every backend of the ledger database does not kill the process; its next write succeeds',
  async () => {
    if (cluster === undefined) throw new Error('no cluster');
    ledgerProcess = new LedgerProcess(cluster.url);
    const process_ = ledgerProcess;
    expect(await process_.waitFor('stdout', 'ready')).toBe('seen');
    expect(await process_.record('before-blip')).toBe('recorded before-blip');

    // The ledger's pool kept its connection after the first write: that is the one to kill.
    expect(await cluster.terminateBackends()).toBeGreaterThanOrEqual(1);

    // The pool hears of the lost connection; before the fix that event ended the process.
    expect(await process_.waitFor('stderr', 'ledger database connection lost')).toBe('seen');
    expect(process_.stderr).not.toContain(cluster.url);
    expect(await process_.record('after-blip')).toBe('recorded after-blip');
    expect(process_.child.exitCode).toBeNull();

    const reader = new Client({ connectionString: cluster.url });
    await reader.connect();
    try {
      const rows = await reader.query<{ order_key: string }>('SELECT order_key FROM order_outcomes ORDER BY order_key');
      expect(rows.rows.map((row) => row.order_key)).toEqual(['magma:after-blip', 'magma:before-blip']);
    } finally {
      await reader.end();
    }
  },
  TEST_TIMEOUT_MS,
);

test('two workers\' request slots on PostgreSQL never hand out two slots closer than the interval', async () => {
  if (cluster === undefined) throw new Error('no cluster');
  // Long enough that the time between a reservation's answer and this side reading it (an event loop
  // busy elsewhere: 95 ms once, under load) is far less than half of it.
  const intervalMs = 400;
  // Two workers: two databases, each its own pool.
  const databases = [await openDatabase(cluster.url), await openDatabase(cluster.url)];
  const stores = databases.map((database) => database.requestSlots);
  try {
    // Twelve reservations at once from two pools: PostgreSQL serialises them on the provider's row.
    const slots = await Promise.all(
      Array.from({ length: 12 }, async (_, index) => {
        const waitMs = await (stores[index % 2] as RequestSlots).reserve('magma', intervalMs);
        return Date.now() + waitMs;
      }),
    );
    slots.sort((first, second) => first - second);
    const gaps = slots.slice(1).map((slot, index) => slot - (slots[index] ?? slot));
    // Each slot is measured on this side of a round trip: a few ms either way, never half an interval.
    expect(Math.min(...gaps)).toBeGreaterThan(intervalMs / 2);
    expect((slots.at(-1) ?? 0) - (slots[0] ?? 0)).toBeGreaterThanOrEqual(11 * intervalMs - intervalMs / 2);
    // Another provider has slots of its own.
    expect(await (stores[0] as RequestSlots).reserve('houdini', intervalMs)).toBe(0);
  } finally {
    for (const database of databases) await database.close();
  }
});
