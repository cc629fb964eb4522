/**
 * A hung PostgreSQL (issue 29, R11): the server keeps its connections but answers nothing, played
 * by Toxiproxy between the process and a real PostgreSQL (a `timeout` toxic of 0: every byte from
 * the server held back, nothing closed). The server's own statement_timeout never fires there.
 * The request-slot reservation falls back to this worker's pacing within its deadline, a pooled
 * query fails at the client-side deadline instead of waiting as long as the hang lasts, and both
 * work again once the database answers.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ProviderGate, SHARED_SLOT_DEADLINE_MS } from '../../activities/provider-gate';
import { QUERY_TIMEOUT_MS } from '../../storage/postgres-pool';
import type { Database } from '../../storage/database';
import type { Ledger } from '../../storage/ledger/ledger';
import { openDatabase } from '../../storage/open-database';
import type { RequestSlots } from '../../storage/request-slots/request-slots';
import { Toxiproxy } from '../../harness/faults/toxiproxy';
import { type PostgresCluster, startPostgresCluster } from '../../harness/servers/postgres';

const SLACK_MS = 2_500;
const quiet = () => undefined;

let postgres: PostgresCluster;
let toxiproxy: Toxiproxy;
let database: Database;
let slots: RequestSlots;
let ledger: Ledger;

beforeAll(async () => {
  postgres = await startPostgresCluster({ database: 'hang' });
  toxiproxy = await Toxiproxy.start();
  const proxy = await toxiproxy.proxy('postgres', `127.0.0.1:${postgres.port}`);
  const url = new URL(postgres.url);
  url.host = proxy.listen;
  // One database, as a worker opens it: the slots and the ledger share its pool.
  database = await openDatabase(url.toString(), { logError: quiet });
  ({ requestSlots: slots, ledger } = database);
}, 600_000);

afterAll(async () => {
  await toxiproxy?.reset().catch(() => undefined);
  await database?.close().catch(() => undefined);
  await toxiproxy?.stop();
  await postgres?.stop();
});

async function elapsed<T>(work: () => Promise<T>): Promise<{ value?: T; error?: unknown; ms: number }> {
  const started = Date.now();
  try {
    return { value: await work(), ms: Date.now() - started };
  } catch (error) {
    return { error, ms: Date.now() - started };
  }
}

test('a hung database: slots paced locally within their deadline, queries failed at the client deadline, both back after', async () => {
  const warnings: string[] = [];
  const gate = new ProviderGate(Date.now, slots, (message) => warnings.push(message));
  expect(await gate.reserve('magma', 1_000)).toBe(0);
  expect(await ledger.find('magma', 'none')).toBeUndefined();

  await toxiproxy.addToxic('postgres', 'hang', { type: 'timeout', attributes: { timeout: 0 } });
  try {
    const reservation = await elapsed(() => gate.reserve('magma', 1_000));
    expect(reservation.error).toBeUndefined();
    expect(reservation.ms).toBeLessThanOrEqual(SHARED_SLOT_DEADLINE_MS + SLACK_MS);
    expect(warnings).toEqual([expect.stringMatching(/pacing this request on this worker only/)]);

    const query = await elapsed(() => ledger.find('magma', 'none'));
    expect(String(query.error)).toMatch(/timeout/i);
    expect(query.ms).toBeLessThanOrEqual(QUERY_TIMEOUT_MS + SLACK_MS);
  } finally {
    await toxiproxy.removeToxic('postgres', 'hang');
  }

  // The connections the hang held were dropped; new ones answer.
  await sleep(200);
  expect(await ledger.find('magma', 'none')).toBeUndefined();
  warnings.length = 0;
  expect(await gate.reserve('houdini', 1_000)).toBe(0);
  expect(warnings).toEqual([]);
}, 120_000);
