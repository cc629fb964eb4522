/**
 * pollOrder records how long a poll waited for its provider on its worker (the rate-budget wait
 * metric): the pacing to the provider's next request slot, and a 429's pause; and two workers that
 * share the request slots (one SQLite file, as workers share the ledger's database) space their
 * requests together. Real activities in Temporal's mock activity context, against the Magma
 * simulator over HTTP.
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import type { Ledger } from '../../storage/ledger/ledger';
import { ProviderGate, RATE_BUDGET_WAIT_METRIC } from '../../activities/provider-gate';
import { openDatabase } from '../../storage/open-database';
import type { RequestSlots } from '../../storage/request-slots/request-slots';
import { startMagmaSandbox, type MagmaSandbox } from '../../sandbox/magma';
import { ErrorType } from '../../workflows/error-types';
import { recordingMeter } from '../helpers/recording-meter';
import { magmaProviders, temporaryLedger, uniqueId } from '../helpers/worker-stack';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const API_KEY = 'rate-budget-metric-key';
/** 1/2 s + the 5 ms margin of createActivities. */
const BUDGET_PER_SECOND = 2;
const SLOT_MS = 1000 / BUDGET_PER_SECOND + 5;

let sandbox: MagmaSandbox;
let ledger: Ledger;

beforeAll(async () => {
  sandbox = await startMagmaSandbox({ apiKey: API_KEY });
  ledger = (await temporaryLedger()).ledger;
});

afterAll(async () => {
  await sandbox?.close();
  await ledger?.close();
});

function pollingWorker(gate: ProviderGate) {
  const { meter, recorded } = recordingMeter();
  const environment = new MockActivityEnvironment({ activityType: 'pollOrder' }, { metricMeter: meter });
  const activities = createActivities({ providers: magmaProviders(sandbox.url, API_KEY), ledger, gate, requestsPerSecond: { magma: BUDGET_PER_SECOND } });
  const poll = (orderId: string) => environment.run(activities.pollOrder, { provider: 'magma' as const, orderId, minRequestGapMs: 5_000 });
  const waits = () => recorded.filter((item) => item.name === RATE_BUDGET_WAIT_METRIC);
  return { poll, waits };
}

test('each poll records its pacing wait: none for the first, the rest of the slot for the next', async () => {
  const orderId = uniqueId('budget-pacing');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT' }] });
  // The gate's clock moves only here: the first request "took" 120 ms, however long it really did.
  let now = 1_000_000;
  const { poll, waits } = pollingWorker(new ProviderGate(() => now));

  await poll(orderId);
  now += 120;
  await poll(orderId);

  // The activity's meter adds the activity's own labels (activityType, taskQueue, namespace).
  expect(waits().map((item) => item.tags)).toMatchObject([
    { provider: 'magma', cause: 'pacing', activityType: 'pollOrder' },
    { provider: 'magma', cause: 'pacing', activityType: 'pollOrder' },
  ]);
  const [first, second] = waits().map((item) => item.value);
  expect(first).toBe(0);
  // The slot after the first request's, less the time that request took.
  expect(second).toBe(SLOT_MS - 120);
  expect(sandbox.requests(orderId)).toHaveLength(2);
});

test('a poll during a 429 pause records the pause left and is handed back to Temporal without a request', async () => {
  const orderId = uniqueId('budget-paused');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT' }] });
  const gate = new ProviderGate();
  gate.pause('magma', 30_000);
  const { poll, waits } = pollingWorker(gate);

  const failure = await poll(orderId).catch((error: unknown) => error);

  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure).toMatchObject({ type: ErrorType.rateLimited });
  expect(waits().map((item) => item.tags.cause)).toEqual(['pacing', 'retry_after']);
  const paused = waits().find((item) => item.tags.cause === 'retry_after');
  expect(paused?.tags).toMatchObject({ provider: 'magma' });
  expect(paused?.value).toBeGreaterThan(25_000);
  expect(paused?.value).toBeLessThanOrEqual(30_000);
  expect(sandbox.requests(orderId)).toHaveLength(0);
});

test('two workers sharing the request slots space their requests by the budget together; each pacing alone does not', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'request-slots-')), 'ledger.sqlite');
  // Two workers: two databases opened on one file.
  const databases = [await openDatabase(`sqlite:${file}`), await openDatabase(`sqlite:${file}`)];
  const slots = databases.map((database) => database.requestSlots);
  const gaps = async (gates: [ProviderGate, ProviderGate]) => {
    const orderId = uniqueId('budget-shared');
    sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT' }] });
    const workers = gates.map(pollingWorker);
    // Both workers start three polls at once, as two workers handed tasks by the server together.
    await Promise.all(workers.flatMap((worker) => [0, 1, 2].map(() => worker.poll(orderId))));
    const times = sandbox.requests(orderId).map((entry) => entry.at);
    expect(times).toHaveLength(6);
    return times.slice(1).map((time, index) => time - (times[index] ?? time));
  };
  try {
    const alone = await gaps([new ProviderGate(), new ProviderGate()]);
    // Each worker spaces its own: the two first requests go out together.
    expect(Math.min(...alone)).toBeLessThan(SLOT_MS / 2);

    const together = await gaps([new ProviderGate(Date.now, slots[0]), new ProviderGate(Date.now, slots[1])]);
    // Never two together: spaced by about a slot. A request leaves when its timer fires, and on a
    // busy machine one fires late while the next is on time: a slot's 60 % is the margin for that
    // (the run of 2026-12-07 under load measured 445 ms against a 505 ms slot). Alone, they are 0 ms apart.
    expect(Math.min(...together)).toBeGreaterThan(SLOT_MS * 0.6);
  } finally {
    for (const database of databases) await database.close();
  }
});

test('a shared slot store that fails falls back to the worker\'s own pacing, and the poll goes on', async () => {
  const orderId = uniqueId('budget-fallback');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT' }] });
  const warnings: string[] = [];
  const broken: RequestSlots = {
    reserve: () => Promise.reject(new Error('connection terminated')),
    reserveFor: () => Promise.reject(new Error('connection terminated')),
    answered: () => Promise.reject(new Error('connection terminated')),
  };
  const { poll, waits } = pollingWorker(new ProviderGate(Date.now, broken, (message, fields) => warnings.push(`${message} ${String(fields.error)}`)));

  await poll(orderId);
  await poll(orderId);

  expect(sandbox.requests(orderId)).toHaveLength(2);
  expect(warnings).toHaveLength(2);
  expect(warnings[0]).toContain('connection terminated');
  expect(waits().map((item) => item.value)[1]).toBeGreaterThan(SLOT_MS / 2);
});
