/**
 * startIngress with a push bridge that ends on its own (Houdini refusing the partner credentials,
 * against its simulator): `failed` says why, but the ingress keeps answering, /healthz names the
 * bridge, and the shared store tells workers the channel is down; and stop() is never a failure.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetch } from 'undici';
import type { Database } from '../../storage/database';
import { openDatabase } from '../../storage/open-database';
import { eventually } from '../helpers/eventually';
import type { Client } from '@temporalio/client';
import type { OrderTracker } from '../../client/order-tracker';
import { loadConfig } from '../../common/config';
import { startHoudiniSandbox, type HoudiniSandbox } from '../../sandbox/houdini';
import { startIngress } from '../../workers/run-ingress';
import type { PushLogger } from '../../providers/push/push-logger';

const PARTNER_ID = 'partner-ingress';
const SECRET = 'secret-ingress';
const quiet: PushLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
/** Neither is asked anything here: no push arrives, and the catch-up lists no order (an empty simulator). */
const tracker = {} as OrderTracker;
const client = {} as Client;

let sandbox: HoudiniSandbox;
let database: Database;

beforeAll(async () => {
  sandbox = await startHoudiniSandbox({ partnerId: PARTNER_ID, secret: SECRET });
  database = await openDatabase(`sqlite:${join(mkdtempSync(join(tmpdir(), 'push-channels-')), 'ledger.sqlite')}`);
});

afterAll(async () => {
  await sandbox?.close();
  await database?.close();
});

function ingressWith(secret: string) {
  const config = loadConfig({
    HOUDINI_URL: sandbox.url,
    HOUDINI_WS_URL: sandbox.wsUrl,
    HOUDINI_PARTNER_ID: PARTNER_ID,
    HOUDINI_SECRET: secret,
    OZZOBIT_WEBHOOK_SECRET: 'webhook-secret',
  });
  return startIngress(config, tracker, client, { port: 0, reporting: { logger: quiet }, pushChannelStore: database.pushChannels });
}

async function houdiniState() {
  return (await database.pushChannels.readAll()).find((status) => status.provider === 'houdini');
}

test('a bridge refused by its provider (4401) stops for good, and the ingress degrades instead of stopping', async () => {
  const ingress = await ingressWith('not-the-secret');
  try {
    expect(ingress.bridges).toEqual(['houdini']);
    await expect(ingress.failed).rejects.toThrow(/HOUDINI_PARTNER_ID and HOUDINI_SECRET/);
    // /healthz still answers and names the bridge and why; the webhook channel is up.
    await eventually('healthz names the bridge', async () => {
      const health = (await (await fetch(`${ingress.address}/healthz`)).json()) as { ok: boolean; pushChannels: Record<string, Record<string, { state: string; reason: string | null }>> };
      return health.ok && health.pushChannels.houdini?.websocket?.state === 'down' && /HOUDINI_SECRET/.test(health.pushChannels.houdini.websocket.reason ?? '');
    });
    const health = (await (await fetch(`${ingress.address}/healthz`)).json()) as { pushChannels: Record<string, Record<string, { state: string }>> };
    expect(health.pushChannels.ozzobit?.webhook?.state).toBe('up');
    // The webhook route still answers (401 for an unsigned body: it runs, it just refuses it).
    expect((await fetch(`${ingress.address}/webhooks/ozzobit`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(401);
    // Workers read it from the shared database: Houdini's orders go back to their status cadence.
    await eventually('the store says down', async () => (await houdiniState())?.state === 'down');
    expect((await houdiniState())?.reason).toMatch(/check HOUDINI_PARTNER_ID and HOUDINI_SECRET/);
    // No reconnect storm after the 4401: one handshake, however long we wait.
    const handshakes = () => sandbox.requests().filter((request) => request.operation.startsWith('websocket')).length;
    const before = handshakes();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(handshakes()).toBe(before);
  } finally {
    await ingress.stop();
  }
});

test('a bridge that subscribes is up in /healthz and the store; a stopped ingress reports it down', async () => {
  const ingress = await ingressWith(SECRET);
  await eventually('the store says up', async () => (await houdiniState())?.state === 'up');
  const health = (await (await fetch(`${ingress.address}/healthz`)).json()) as { pushChannels: Record<string, Record<string, { state: string }>> };
  expect(health.pushChannels.houdini?.websocket?.state).toBe('up');
  await ingress.stop();
  expect(await houdiniState()).toMatchObject({ state: 'down', reason: 'the ingress stopped' });
});

test('stop() ends the bridges without failing the ingress', async () => {
  const ingress = await ingressWith(SECRET);
  const outcome = ingress.failed.then(
    () => 'resolved',
    (error: unknown) => `failed: ${String(error)}`,
  );
  await ingress.stop();
  const settled = await Promise.race([outcome, new Promise((resolve) => setTimeout(() => resolve('still pending'), 300))]);
  expect(settled).toBe('still pending');
});
