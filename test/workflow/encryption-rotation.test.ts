/**
 * Key rotation (issue 14, item 6), on the time-skipping server with the real workers and the Magma
 * simulator over HTTP: an order started under key A is run to completion by a worker with keys `B,A`
 * (newest first), as after a restart during a rotation: what A encrypted is still read, what is new
 * is encrypted with B.
 */
import { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createHash, randomBytes } from 'node:crypto';
import type { Ledger } from '../../storage/ledger/ledger';
import { OrderTracker } from '../../client/order-tracker';
import { dataConverterFor } from '../../common/encryption-codec';
import { startMagmaSandbox, type MagmaSandbox } from '../../sandbox/magma';
import { orderWorkflowId } from '../../domain/ids';
import { createTimeSkippingEnvironment } from '../helpers/environments';
import { magmaProviders, temporaryLedger, uniqueId, withWorkers } from '../helpers/worker-stack';

const API_KEY = 'rotation-test-key';
const TASK_QUEUE = 'rotation-test';
const TEST_TIMEOUT_MS = 120_000;
const KEY_A = randomBytes(32).toString('base64');
const KEY_B = randomBytes(32).toString('base64');
const keyId = (key: string) => createHash('sha256').update(Buffer.from(key, 'base64')).digest('hex').slice(0, 16);

let environment: TestWorkflowEnvironment;
let sandbox: MagmaSandbox;
let ledger: Ledger;

beforeAll(async () => {
  environment = await createTimeSkippingEnvironment();
  sandbox = await startMagmaSandbox({ apiKey: API_KEY });
  ledger = (await temporaryLedger()).ledger;
});

afterAll(async () => {
  await sandbox?.close();
  await ledger?.close();
  await environment?.teardown();
});

function keyedClient(keys: string): Client {
  return new Client({ connection: environment.connection, dataConverter: dataConverterFor(keys) });
}

function workers<T>(keys: string, apiKey: string, body: () => Promise<T>): Promise<T> {
  return withWorkers(
    { connection: environment.nativeConnection, taskQueue: TASK_QUEUE, providers: magmaProviders(sandbox.url, apiKey), ledger, dataConverter: dataConverterFor(keys) },
    body,
  );
}

/** Lets the time-skipping server skip to the order's end; the keyless client cannot decode the result, which is expected. */
async function skipToTheEnd(orderId: string): Promise<void> {
  await environment.client.workflow
    .getHandle(orderWorkflowId('magma', orderId))
    .result()
    .catch((error: unknown) => {
      if (!String(error).includes('binary/encrypted')) throw error;
    });
}

/** Payload data is base64 in history JSON: decode every base64 run so plaintext cannot hide there. */
function withBase64Decoded(json: string): string {
  return json + (json.match(/"[A-Za-z0-9+/]{16,}={0,2}"/g) ?? []).map((quoted) => Buffer.from(quoted.slice(1, -1), 'base64').toString('latin1')).join('\n');
}

test('an order started under key A completes on a worker with keys B,A', async () => {
  const orderId = uniqueId('rotated');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT', requests: 3 }, { status: 'VALID_CHANNEL_OPENING', fields: { transaction_id: 'tx-rotated' } }] });

  // Started by a client with key A only: the workflow's input is encrypted with A. (No worker runs
  // yet: stopping one mid-order on the time-skipping server waits out its polls for minutes.)
  const underA = new OrderTracker({ client: keyedClient(KEY_A), taskQueue: TASK_QUEUE, ledger });
  await underA.track('magma', orderId, { reference: 'cart-rotated' });

  const underBA = keyedClient(`${KEY_B},${KEY_A}`);
  await workers(`${KEY_B},${KEY_A}`, API_KEY, () => skipToTheEnd(orderId));
  const result = await underBA.workflow.getHandle(orderWorkflowId('magma', orderId)).result();
  expect(result).toMatchObject({ outcome: 'succeeded', details: { transaction_id: 'tx-rotated' } });

  // Both keys wrote to this history: A before the restart, B after it.
  const history = historyToJSON(await underBA.workflow.getHandle(orderWorkflowId('magma', orderId)).fetchHistory());
  const text = withBase64Decoded(history);
  expect(text).toContain(keyId(KEY_A));
  expect(text).toContain(keyId(KEY_B));
  expect(text).not.toContain('tx-rotated');
}, TEST_TIMEOUT_MS);
