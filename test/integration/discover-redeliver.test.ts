/**
 * `order-tracker discover magma` (the seed's purchases/sales list) and `order-tracker redeliver`
 * (a pending or rejected callback sent again), run as a user would: the real CLI process against the
 * dev server, the Magma simulator, a real ledger file and a callback receiver.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { callbackBody } from '../../callbacks/callback-sender';
import { openLedger } from '../../storage/open-database';
import { startMagmaSandbox, type MagmaSandbox } from '../../sandbox/magma';
import { orderWorkflowId } from '../../domain/ids';
import { startCallbackReceiver, type CallbackReceiver } from '../../harness/servers/callback-receiver';
import { cleanEnvironment, runCli } from '../../harness/cli-process';
import { createDevEnvironment } from '../helpers/environments';
import { temporaryLedger, uniqueId } from '../helpers/worker-stack';

const API_KEY = 'discover-key';
const SECRET = 'redeliver-secret';

let environment: TestWorkflowEnvironment;
let sandbox: MagmaSandbox;
let receiver: CallbackReceiver;
let ledgerFile: string;
let taskQueue: string;

beforeAll(async () => {
  environment = await createDevEnvironment();
  sandbox = await startMagmaSandbox({ apiKey: API_KEY });
  receiver = await startCallbackReceiver(SECRET);
  const temporary = await temporaryLedger();
  ledgerFile = temporary.file;
  await temporary.ledger.close();
  taskQueue = uniqueId('discover');
});

afterAll(async () => {
  await receiver?.close();
  await sandbox?.close();
  await environment?.teardown();
});

function cliEnvironment(): NodeJS.ProcessEnv {
  return cleanEnvironment({
    TEMPORAL_ADDRESS: environment.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    DATABASE_URL: `sqlite:${ledgerFile}`,
    MAGMA_URL: sandbox.url,
    MAGMA_API_KEY: API_KEY,
    FULFILLMENT_WEBHOOK_URL: receiver.url,
    FULFILLMENT_WEBHOOK_SECRET: SECRET,
  });
}

test('discover lists recent purchases and sales; --track starts the recent untracked ones once, never one the ledger holds or one too old', async () => {
  const prefix = uniqueId('listed');
  const threeDaysAgo = new Date(Date.now() - 3 * 24 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  sandbox.addOrder({ id: `${prefix}-open`, steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT' }] });
  sandbox.addOrder({ id: `${prefix}-done`, steps: [{ status: 'VALID_CHANNEL_OPENING' }] });
  sandbox.addOrder({ id: `${prefix}-old`, steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT', fields: { created_at: threeDaysAgo } }] });
  sandbox.addOrder({ id: `${prefix}-recorded`, steps: [{ status: 'VALID_CHANNEL_OPENING' }] });
  sandbox.addOrder({ id: `${prefix}-sold`, side: 'sale', steps: [{ status: 'WAITING_FOR_SELLER_APPROVAL' }] });
  const ledger = await openLedger(`sqlite:${ledgerFile}`);
  await ledger.record({
    provider: 'magma', orderId: `${prefix}-recorded`, reference: null, outcome: 'succeeded', observation: null, transitions: [],
    workflowId: orderWorkflowId('magma', `${prefix}-recorded`), occurredAt: new Date().toISOString(),
  }, null);
  await ledger.close();

  const purchases = await runCli(['discover', 'magma', '--json', '--limit', '50'], cliEnvironment());
  expect(purchases.code).toBe(0);
  const listed = JSON.parse(purchases.stdout) as { id: string; status: string; inFlight: boolean }[];
  expect(listed).toEqual(expect.arrayContaining([
    expect.objectContaining({ id: `${prefix}-open`, status: 'WAITING_FOR_BUYER_PAYMENT', inFlight: true }),
    expect.objectContaining({ id: `${prefix}-done`, status: 'VALID_CHANNEL_OPENING', inFlight: false }),
  ]));
  expect(listed.some((order) => order.id === `${prefix}-sold`)).toBe(false);

  const sales = await runCli(['discover', 'magma', '--sales', '--json'], cliEnvironment());
  expect(JSON.parse(sales.stdout).map((order: { id: string }) => order.id)).toContain(`${prefix}-sold`);

  const trackedOnce = await runCli(['discover', 'magma', '--track', '--limit', '50', '--json'], cliEnvironment());
  expect(trackedOnce.code).toBe(0);
  const tracking = (output: string) => Object.fromEntries((JSON.parse(output) as { id: string; tracking: string }[]).filter((order) => order.id.startsWith(prefix)).map((order) => [order.id.slice(prefix.length + 1), order.tracking]));
  expect(tracking(trackedOnce.stdout)).toEqual({ open: 'started', done: 'started', old: 'too old', recorded: 'recorded' });
  // Idempotent by workflow id: the second sweep finds them running and starts nothing.
  const trackedAgain = await runCli(['discover', 'magma', '--track', '--limit', '50', '--json'], cliEnvironment());
  expect(tracking(trackedAgain.stdout)).toEqual({ open: 'running', done: 'running', old: 'too old', recorded: 'recorded' });
  for (const name of ['open', 'done']) {
    const handle = environment.client.workflow.getHandle(orderWorkflowId('magma', `${prefix}-${name}`));
    expect((await handle.describe()).memo).toMatchObject({ startedBy: 'reconcile' });
    await handle.terminate('test over');
  }
  for (const name of ['old', 'recorded']) {
    await expect(environment.client.workflow.getHandle(orderWorkflowId('magma', `${prefix}-${name}`)).describe()).rejects.toThrow();
  }
});

test('discover refuses other providers and a missing key, naming them', async () => {
  const other = await runCli(['discover', 'miraclecash'], cliEnvironment());
  expect(other.code).toBe(2);
  expect(other.stderr).toContain('discover supports the providers with a list endpoint (magma, houdini), not miraclecash');
  const badAge = await runCli(['discover', 'magma', '--track', '--max-age', 'soon'], cliEnvironment());
  expect(badAge.code).toBe(2);
  expect(badAge.stderr).toContain('--max-age');
  const { MAGMA_API_KEY: _key, ...withoutKey } = cliEnvironment();
  const missing = await runCli(['discover', 'magma'], { ...withoutKey, MAGMA_URL: undefined });
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('MAGMA_URL and MAGMA_API_KEY');
});

test('redeliver sends a rejected callback again with the recorded bytes and key, and records the answer', async () => {
  const orderId = uniqueId('redeliver');
  const body = callbackBody({
    provider: 'magma', orderId, reference: null, outcome: 'succeeded', final: true, status: 'VALID_CHANNEL_OPENING',
    details: {}, workflowId: orderWorkflowId('magma', orderId), occurredAt: '2026-11-22T00:00:00.000Z',
  });
  const ledger = await openLedger(`sqlite:${ledgerFile}`);
  await ledger.record({
    provider: 'magma', orderId, reference: null, outcome: 'succeeded', observation: null, transitions: [],
    workflowId: orderWorkflowId('magma', orderId), occurredAt: '2026-11-22T00:00:00.000Z',
  }, body);
  await ledger.markCallback('magma', orderId, 'succeeded', 'rejected', 'receiver answered HTTP 422');

  receiver.answer = () => 422;
  const refused = await runCli(['redeliver', 'magma', orderId], cliEnvironment());
  expect(refused.code).toBe(1);
  expect(refused.stdout).toContain('callback rejected');

  receiver.answer = () => 200;
  const delivered = await runCli(['redeliver', 'magma', orderId, '--json'], cliEnvironment());
  expect(delivered.code).toBe(0);
  expect(JSON.parse(delivered.stdout)).toEqual({ callback: 'delivered', detail: null });
  const deliveries = receiver.received.filter((delivery) => delivery.idempotencyKey === `magma:${orderId}:succeeded`);
  expect(deliveries.map((delivery) => delivery.body)).toEqual([body, body]);
  expect(deliveries.every((delivery) => delivery.signatureValid)).toBe(true);
  expect(await ledger.find('magma', orderId)).toMatchObject({ callback: 'delivered', callbackDetail: null });

  const again = await runCli(['redeliver', 'magma', orderId], cliEnvironment());
  expect(again.stdout).toContain('already delivered');
  expect(receiver.received.filter((delivery) => delivery.idempotencyKey === `magma:${orderId}:succeeded`)).toHaveLength(2);
  await ledger.close();

  const unknown = await runCli(['redeliver', 'magma', 'never-recorded'], cliEnvironment());
  expect(unknown.code).toBe(3);
});
