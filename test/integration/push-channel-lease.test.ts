/**
 * A SIGKILLed ingress counts as down within a stated bound (issue 29, R3): a real
 * `order-tracker ingress` process writes its push channels' states (OZZOBiT's webhook route: up)
 * into the shared database; killed with SIGKILL it never writes `down`, so before leases its channel
 * stayed `up` for good and OZZOBiT's orders polled every 2 minutes while no push could come. Now the
 * worker's push fallback (push-fallback.ts, reading the same database) gives up on pushes within the
 * lease plus its own cache of the states.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { PUSH_CHANNEL_CACHE_MS, createPushFallback } from '../../activities/push-fallback';
import { LEASE_EXPIRED_REASON, PUSH_CHANNEL_LEASE_MS } from '../../storage/push-channels/push-channel-state';
import type { Database } from '../../storage/database';
import { openDatabase } from '../../storage/open-database';
import { findFreePort } from '../../common/temporal-servers';
import { cleanEnvironment } from '../../harness/cli-process';
import { createDevEnvironment } from '../helpers/environments';
import { eventually } from '../helpers/eventually';

const CLI = resolve(__dirname, '..', '..', 'bin', 'order-tracker.js');
const FALLBACK_MS = 120_000;
/** The monitor checks every second and the store's clock reads are not instant. */
const SLACK_MS = 3_000;

let environment: TestWorkflowEnvironment;
let database: Database | undefined;
let ingress: ChildProcess | undefined;

beforeAll(async () => {
  environment = await createDevEnvironment();
}, 120_000);

afterAll(async () => {
  ingress?.kill('SIGKILL');
  await database?.close();
  await environment?.teardown();
});

test('a SIGKILLed ingress leaves no channel up past its lease: the worker is back on the status cadence in time', async () => {
  const databaseUrl = `sqlite:${join(mkdtempSync(join(tmpdir(), 'lease-')), 'ledger.sqlite')}`;
  const child = spawn(process.execPath, [CLI, 'ingress'], {
    env: cleanEnvironment({
      TEMPORAL_ADDRESS: environment.address,
      DATABASE_URL: databaseUrl,
      OZZOBIT_WEBHOOK_SECRET: 'lease-secret',
      INGRESS_PORT: String(await findFreePort()),
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  ingress = child;
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  await eventually('the ingress runs', () => output.includes('order-tracker ingress running'), { timeoutMs: 60_000 });

  database = await openDatabase(databaseUrl);
  const store = database.pushChannels;
  const fallback = createPushFallback({ pushFallbackPollMs: { ozzobit: FALLBACK_MS }, pushChannels: store });
  const request = { provider: 'ozzobit' as const, pushesSeen: true };
  await eventually('the webhook channel is up for the worker', async () => (await fallback(request)) === FALLBACK_MS);

  // Outlive one renewal at least: a lease that is renewed keeps the channel up.
  await new Promise((resolveWait) => setTimeout(resolveWait, PUSH_CHANNEL_LEASE_MS / 2 + 3_000));
  expect(await fallback(request)).toBe(FALLBACK_MS);

  const killedAt = Date.now();
  child.kill('SIGKILL');
  await eventually('the worker stops counting on pushes', async () => (await fallback(request)) === undefined, {
    timeoutMs: PUSH_CHANNEL_LEASE_MS + PUSH_CHANNEL_CACHE_MS + SLACK_MS,
    intervalMs: 250,
  });
  const downAfterMs = Date.now() - killedAt;
  expect(downAfterMs).toBeLessThanOrEqual(PUSH_CHANNEL_LEASE_MS + PUSH_CHANNEL_CACHE_MS + SLACK_MS);
  expect(await store.readAll()).toEqual([expect.objectContaining({ provider: 'ozzobit', state: 'down', reason: LEASE_EXPIRED_REASON })]);
}, 180_000);
