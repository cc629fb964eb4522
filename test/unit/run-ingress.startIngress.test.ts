/**
 * startIngress's `failed`: it rejects when a push bridge ends on its own (Houdini refusing the
 * partner credentials, against its simulator), and never because stop() ended the bridges.
 */
import type { Client } from '@temporalio/client';
import type { OrderTracker } from '../../client/order-tracker';
import { loadConfig } from '../../common/config';
import { startHoudiniSandbox, type HoudiniSandbox } from '../../sandbox/houdini';
import { startIngress } from '../../workers/run-ingress';
import type { PushLogger } from '../../workers/push/push-logger';

const PARTNER_ID = 'partner-ingress';
const SECRET = 'secret-ingress';
const quiet: PushLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
/** Neither is asked anything here: no push arrives, and the catch-up lists no order (an empty simulator). */
const tracker = {} as OrderTracker;
const client = {} as Client;

let sandbox: HoudiniSandbox;

beforeAll(async () => {
  sandbox = await startHoudiniSandbox({ partnerId: PARTNER_ID, secret: SECRET });
});

afterAll(async () => {
  await sandbox?.close();
});

function ingressWith(secret: string) {
  const config = loadConfig({ HOUDINI_URL: sandbox.url, HOUDINI_WS_URL: sandbox.wsUrl, HOUDINI_PARTNER_ID: PARTNER_ID, HOUDINI_SECRET: secret });
  return startIngress(config, tracker, client, { port: 0, reporting: { logger: quiet } });
}

test('a bridge refused by its provider fails the ingress, with the bridge’s error', async () => {
  const ingress = await ingressWith('not-the-secret');
  try {
    expect(ingress.bridges).toEqual(['houdini']);
    await expect(ingress.failed).rejects.toThrow(/HOUDINI_PARTNER_ID and HOUDINI_SECRET/);
  } finally {
    await ingress.stop();
  }
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
