/**
 * Pushes deduplicated at the ingress (issue 14, item 5), over real HTTP against the real ingress
 * (`startIngress`, as `order-tracker ingress` runs it) on the dev server: a replayed OZZOBiT webhook
 * and a replay of an older status are answered 200 without a signal, so they add nothing to the
 * order's history, and the receipts count them as `duplicate` and `stale`. No worker runs: every
 * event in the history is one the ingress caused.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { OZZOBIT_SIGNATURE_HEADER, signOzzobitWebhook } from '../../providers/ozzobit/ozzobit-protocol';
import { OrderTracker } from '../../client/order-tracker';
import { loadConfig } from '../../common/config';
import { findFreePort } from '../../common/temporal-servers';
import { type RunningIngress, startIngress } from '../../workers/run-ingress';
import { webhookPath } from '../../workers/push/webhook-routes';
import { PUSH_RECEIPTS_METRIC } from '../../workers/push/push-receipts';
import { orderWorkflowId } from '../../domain/ids';
import { createDevEnvironment } from '../helpers/environments';
import { recordingMeter } from '../helpers/recording-meter';
import { temporaryLedger, uniqueId } from '../helpers/worker-stack';
import type { Ledger } from '../../storage/ledger/ledger';

const WEBHOOK_SECRET = 'dedupe-webhook-secret';
const TASK_QUEUE = uniqueId('push-dedupe');
const TEST_TIMEOUT_MS = 120_000;

let environment: TestWorkflowEnvironment;
let ingress: RunningIngress;
const { meter, recorded } = recordingMeter();
let ledger: Ledger;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

beforeAll(async () => {
  ({ ledger } = await temporaryLedger());
  environment = await createDevEnvironment();
  const config = loadConfig({ OZZOBIT_WEBHOOK_SECRET: WEBHOOK_SECRET, TEMPORAL_TASK_QUEUE: TASK_QUEUE });
  const tracker = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE, ledger });
  ingress = await startIngress(config, tracker, environment.client, { port: await findFreePort(), reporting: { logger: quiet, meter } });
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  await ingress?.stop();
  await ledger.close();
  await environment?.teardown();
});

async function postWebhook(orderId: string, status: string): Promise<{ status: number; json: { result?: string } }> {
  const body = JSON.stringify({ eventName: `ORDER_${status}`, data: { id: orderId, status, cryptoCurrency: 'BTC', cryptoAmount: '0.01' } });
  const response = await fetch(`${ingress.address}${webhookPath('ozzobit')}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [OZZOBIT_SIGNATURE_HEADER]: signOzzobitWebhook(body, WEBHOOK_SECRET) },
    body,
  });
  return { status: response.status, json: (await response.json()) as { result?: string } };
}

async function historyOf(orderId: string) {
  const history = await environment.client.workflow.getHandle(orderWorkflowId('ozzobit', orderId)).fetchHistory();
  return history.events ?? [];
}

const signals = (events: Awaited<ReturnType<typeof historyOf>>) => events.filter((event) => event.workflowExecutionSignaledEventAttributes);

function receipts(result: string): number {
  return recorded.filter((entry) => entry.name === PUSH_RECEIPTS_METRIC && entry.tags.result === result).length;
}

test(
  'a replayed webhook is answered 200 and adds no event to the order’s history',
  async () => {
    const orderId = uniqueId('replayed');
    expect(await postWebhook(orderId, 'PROCESSING')).toEqual({ status: 200, json: expect.objectContaining({ result: 'signalled' }) });
    const before = await historyOf(orderId);
    expect(signals(before)).toHaveLength(1);

    const replay = await postWebhook(orderId, 'PROCESSING');
    expect(replay).toEqual({ status: 200, json: expect.objectContaining({ result: 'duplicate' }) });
    const after = await historyOf(orderId);
    expect(after).toHaveLength(before.length);
    expect(signals(after)).toHaveLength(1);
    expect(receipts('duplicate')).toBe(1);
  },
  TEST_TIMEOUT_MS,
);

test(
  'a replay of an older status after a newer one is refused as stale, without a signal',
  async () => {
    const orderId = uniqueId('stale');
    expect((await postWebhook(orderId, 'PROCESSING')).json.result).toBe('signalled');
    expect((await postWebhook(orderId, 'PENDING_DELIVERY')).json.result).toBe('signalled');
    const before = await historyOf(orderId);
    expect(signals(before)).toHaveLength(2);

    expect(await postWebhook(orderId, 'PROCESSING')).toEqual({ status: 200, json: expect.objectContaining({ result: 'stale' }) });
    const after = await historyOf(orderId);
    expect(after).toHaveLength(before.length);
    expect(receipts('stale')).toBe(1);
  },
  TEST_TIMEOUT_MS,
);
