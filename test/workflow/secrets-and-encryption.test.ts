/**
 * Secrets never reach workflow history or logs, and with ORDER_TRACKER_ENCRYPTION_KEY order data in
 * history is unreadable without the key (while the client with the key reads it as usual).
 */
import { Client } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { randomBytes } from 'node:crypto';
import { createCallbackSender } from '../../callbacks/callback-sender';
import type { Ledger } from '../../storage/ledger/ledger';
import { OrderTracker } from '../../client/order-tracker';
import { dataConverterFor } from '../../common/encryption-codec';
import { startMagmaSandbox, type MagmaSandbox } from '../../sandbox/magma';
import { orderWorkflowId } from '../../domain/ids';
import { startCallbackReceiver, type CallbackReceiver } from '../../harness/servers/callback-receiver';
import { createTimeSkippingEnvironment } from '../helpers/environments';
import { magmaProviders, temporaryLedger, uniqueId, withWorkers } from '../helpers/worker-stack';

const MAGMA_KEY = `magma-secret-${randomBytes(8).toString('hex')}`;
const CALLBACK_SECRET = `callback-secret-${randomBytes(8).toString('hex')}`;
const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const TASK_QUEUE = 'secrets-test';

const logLines: string[] = [];
// Installed before anything creates the runtime: every SDK and activity log line of this file lands here.
Runtime.install({
  logger: new DefaultLogger('DEBUG', (entry) =>
    logLines.push(JSON.stringify(entry, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))),
  ),
});

let environment: TestWorkflowEnvironment;
let sandbox: MagmaSandbox;
let receiver: CallbackReceiver;
let ledger: Ledger;
const consoleLines: string[] = [];

beforeAll(async () => {
  for (const method of ['log', 'info', 'warn', 'error'] as const) {
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void consoleLines.push(args.map(String).join(' ')));
  }
  environment = await createTimeSkippingEnvironment();
  sandbox = await startMagmaSandbox({ apiKey: MAGMA_KEY });
  receiver = await startCallbackReceiver(CALLBACK_SECRET);
  ledger = (await temporaryLedger()).ledger;
});

afterAll(async () => {
  await receiver?.close();
  await sandbox?.close();
  await ledger?.close();
  await environment?.teardown();
});

async function runOrders(dataConverter: ReturnType<typeof dataConverterFor>, client: Client, orders: { orderId: string; key: string }[]) {
  const tracker = new OrderTracker({ client, taskQueue: TASK_QUEUE, ledger });
  for (const { orderId, key } of orders) {
    await withWorkers(
      {
        connection: environment.nativeConnection,
        taskQueue: TASK_QUEUE,
        providers: magmaProviders(sandbox.url, key),
        ledger,
        callbackSender: createCallbackSender({ url: receiver.url, secrets: [CALLBACK_SECRET] }),
        dataConverter,
      },
      async () => {
        await tracker.track('magma', orderId, { reference: `ref-${orderId}`, maxWaitMs: 20 * 60_000 });
        // The environment's client skips time while it waits; without the key it cannot decode an
        // encrypted result, which is the point — the keyed client reads it below.
        await environment.client.workflow
          .getHandle(orderWorkflowId('magma', orderId))
          .result()
          .catch((error: unknown) => {
            if (dataConverter === undefined || !String(error).includes('Unknown encoding: binary/encrypted')) throw error;
          });
      },
    );
  }
}

test('no configured secret appears in any workflow history or log line of a run', async () => {
  const good = uniqueId('secret-ok');
  const refused = uniqueId('secret-refused');
  for (const orderId of [good, refused]) {
    sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT', requests: 2 }, { status: 'VALID_CHANNEL_OPENING' }] });
  }
  // The refused order is polled with a wrong key: its errors are logged, and must not carry any key.
  await runOrders(undefined, environment.client, [
    { orderId: good, key: MAGMA_KEY },
    { orderId: refused, key: `${MAGMA_KEY}-revoked` },
  ]);
  expect(receiver.received.some((delivery) => delivery.idempotencyKey === `magma:${good}:succeeded`)).toBe(true);
  expect(logLines.some((line) => line.includes('credentials'))).toBe(true);

  const histories = await Promise.all(
    [good, refused].map(async (orderId) => historyToJSON(await environment.client.workflow.getHandle(orderWorkflowId('magma', orderId)).fetchHistory())),
  );
  const everything = [...histories, ...logLines, ...consoleLines].join('\n');
  expect(everything.length).toBeGreaterThan(1000);
  for (const secret of [MAGMA_KEY, CALLBACK_SECRET, ENCRYPTION_KEY]) expect(everything).not.toContain(secret);
});

test('with an encryption key, order data in history is ciphertext and the keyed client still reads it', async () => {
  const dataConverter = dataConverterFor(ENCRYPTION_KEY);
  const client = new Client({ connection: environment.connection, dataConverter });
  const orderId = uniqueId('encrypted');
  sandbox.addOrder({
    id: orderId,
    steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT', requests: 1 }, { status: 'VALID_CHANNEL_OPENING', fields: { transaction_id: 'tx-visible-only-with-key' } }],
  });
  await runOrders(dataConverter, client, [{ orderId, key: MAGMA_KEY }]);

  const history = historyToJSON(await client.workflow.getHandle(orderWorkflowId('magma', orderId)).fetchHistory());
  const decodedPayloadText = Buffer.from(history).toString('utf8') + allBase64Decoded(history);
  expect(decodedPayloadText).toContain('binary/encrypted');
  expect(decodedPayloadText).not.toContain('tx-visible-only-with-key');
  expect(decodedPayloadText).not.toContain(`ref-${orderId}`);

  const result = await client.workflow.getHandle(orderWorkflowId('magma', orderId)).result();
  expect(result).toMatchObject({ outcome: 'succeeded', details: { transaction_id: 'tx-visible-only-with-key' } });
});

/** Payload data is base64 in history JSON: decode every base64 run so plaintext cannot hide there. */
function allBase64Decoded(json: string): string {
  return (json.match(/"[A-Za-z0-9+/]{16,}={0,2}"/g) ?? []).map((quoted) => Buffer.from(quoted.slice(1, -1), 'base64').toString('latin1')).join('\n');
}

test('with an encryption key, failure messages and stack traces are ciphertext too, and an order whose key is refused still runs to its max wait', async () => {
  const dataConverter = dataConverterFor(ENCRYPTION_KEY);
  const client = new Client({ connection: environment.connection, dataConverter });
  const orderId = uniqueId('encrypted-refused');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT' }] });
  await runOrders(dataConverter, client, [{ orderId, key: `${MAGMA_KEY}-revoked` }]);

  const handle = client.workflow.getHandle(orderWorkflowId('magma', orderId));
  const history = historyToJSON(await handle.fetchHistory());
  const decodedText = Buffer.from(history).toString('utf8') + allBase64Decoded(history);
  // The poll's failures reached history (the deadline poll failed on the refused key) …
  expect(decodedText).toContain('Encoded failure');
  // … and neither their message nor a stack trace is readable there.
  expect(decodedText).not.toContain('refused the API key');
  expect(decodedText).not.toMatch(/at .*\.(ts|js):\d+/);
  await expect(handle.result()).resolves.toMatchObject({ outcome: 'timed_out' });
});
