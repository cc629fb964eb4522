/**
 * The ingress while Temporal is away (issue 29, R1 and R2, "must show"): a real ingress
 * (`startIngress`, as `order-tracker ingress` runs it) in front of a real dev server that is stopped,
 * then hung (SIGSTOP), then back. While Temporal is stopped or hung, every webhook and API call is
 * answered 503 with Retry-After within the stated deadline (INGRESS_TEMPORAL_DEADLINE_MS); once it is
 * back, the provider's redelivery of the same webhook starts the order nobody tracked yet, and a new
 * status wakes the order that was running. Redeliveries during the outage are never swallowed as
 * `duplicate`. No worker runs: the histories show what the ingress did.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { OrderTracker } from '../../client/order-tracker';
import { loadConfig } from '../../common/config';
import { findFreePort } from '../../common/temporal-servers';
import { orderWorkflowId } from '../../domain/ids';
import { OZZOBIT_SIGNATURE_HEADER, signOzzobitWebhook } from '../../providers/ozzobit/ozzobit-protocol';
import { type DevServer, startDevServer } from '../../workers/dev-server';
import { type RunningIngress, startIngress } from '../../workers/run-ingress';
import { INGRESS_TEMPORAL_DEADLINE_MS, TEMPORAL_RETRY_AFTER_SECONDS } from '../../workers/temporal-deadline';
import { temporaryLedger, uniqueId } from '../helpers/worker-stack';
import type { Ledger } from '../../storage/ledger/ledger';

const WEBHOOK_SECRET = 'outage-webhook-secret';
const TASK_QUEUE = uniqueId('outage');
/** The deadline's timer may fire late on two busy cores, and the answer has to travel. */
const SLACK_MS = 2_500;
const TEST_TIMEOUT_MS = 240_000;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

let ledger: Ledger;
let serverOptions: Parameters<typeof startDevServer>[0];
let server: DevServer;
let connection: Connection;
let ingress: RunningIngress;

beforeAll(async () => {
  ({ ledger } = await temporaryLedger());
  serverOptions = { dbFile: join(mkdtempSync(join(tmpdir(), 'outage-')), 'temporal.sqlite'), port: await findFreePort(), uiPort: await findFreePort(), namespace: 'default' };
  server = await startDevServer(serverOptions);
  connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const config = loadConfig({ OZZOBIT_WEBHOOK_SECRET: WEBHOOK_SECRET, TEMPORAL_TASK_QUEUE: TASK_QUEUE, TEMPORAL_ADDRESS: server.address });
  const tracker = new OrderTracker({ client, taskQueue: TASK_QUEUE, ledger });
  ingress = await startIngress(config, tracker, client, { port: 0, reporting: { logger: quiet } });
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  await ingress?.stop();
  if (server !== undefined) {
    process.kill(server.pid, 'SIGCONT');
    await server.stop();
  }
  // The client's retries scheduled during the outage (up to 6 s of jittered backoff) must find the
  // connection open: they end on their deadline, but a closed channel throws from their timer.
  await sleep(8_000);
  await connection?.close().catch(() => undefined);
  await ledger.close();
});

interface Answer {
  status: number;
  retryAfter: string | null;
  elapsedMs: number;
  result?: string;
}

async function deliver(orderId: string, status: string): Promise<Answer> {
  const body = JSON.stringify({ eventName: `ORDER_${status}`, data: { id: orderId, status, cryptoCurrency: 'BTC', cryptoAmount: '0.01' } });
  const started = Date.now();
  const response = await fetch(`${ingress.address}/webhooks/ozzobit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [OZZOBIT_SIGNATURE_HEADER]: signOzzobitWebhook(body, WEBHOOK_SECRET) },
    body,
  });
  const json = (await response.json()) as { result?: string };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), elapsedMs: Date.now() - started, result: json.result };
}

async function apiCall(path: string, body?: unknown): Promise<Answer> {
  const started = Date.now();
  const response = await fetch(`${ingress.address}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await response.arrayBuffer();
  return { status: response.status, retryAfter: response.headers.get('retry-after'), elapsedMs: Date.now() - started };
}

/** As a provider does: deliver again after each 503, waiting what Retry-After asks, until it is taken. */
async function redeliverUntilTaken(orderId: string, status: string): Promise<Answer> {
  const until = Date.now() + 90_000;
  for (;;) {
    const answer = await deliver(orderId, status);
    if (answer.status !== 503 || Date.now() > until) return answer;
    await sleep(Number(answer.retryAfter ?? 1) * 1000);
  }
}

async function pushedStatuses(orderId: string): Promise<string[]> {
  const history = await new Client({ connection }).workflow.getHandle(orderWorkflowId('ozzobit', orderId)).fetchHistory();
  return (history.events ?? []).filter((event) => event.workflowExecutionSignaledEventAttributes?.signalName === 'statusPushed').map(() => 'statusPushed');
}

function expectUnavailableInTime(answer: Answer): void {
  expect(answer).toMatchObject({ status: 503, retryAfter: String(TEMPORAL_RETRY_AFTER_SECONDS) });
  expect(answer.elapsedMs).toBeLessThanOrEqual(INGRESS_TEMPORAL_DEADLINE_MS + SLACK_MS);
}

test(
  'stopped, then hung: 503 within the deadline; back: the redelivery starts the new order and a new status wakes the running one',
  async () => {
    const running = uniqueId('running');
    const fresh = uniqueId('fresh');
    expect(await deliver(running, 'PROCESSING')).toMatchObject({ status: 200, result: 'signalled' });

    // Stopped: nothing listens on Temporal's port.
    await server.stop();
    expectUnavailableInTime(await deliver(fresh, 'PROCESSING'));
    // The provider's redelivery during the outage is tried again, not taken as a duplicate (R1).
    expectUnavailableInTime(await deliver(fresh, 'PROCESSING'));
    expectUnavailableInTime(await deliver(running, 'PENDING_DELIVERY'));
    expectUnavailableInTime(await apiCall('/orders', { provider: 'ozzobit', orderId: uniqueId('api') }));
    expectUnavailableInTime(await apiCall(`/orders/ozzobit/${running}`));

    // Back on its database, then hung: the process holds its port and answers nothing.
    server = await startDevServer(serverOptions);
    expect(await redeliverUntilTaken(running, 'PENDING_DELIVERY')).toMatchObject({ status: 200, result: 'signalled' });
    process.kill(server.pid, 'SIGSTOP');
    try {
      const answers = await Promise.all([deliver(fresh, 'PROCESSING'), deliver(fresh, 'PROCESSING'), apiCall(`/orders/ozzobit/${running}`)]);
      for (const answer of answers) expectUnavailableInTime(answer);
    } finally {
      process.kill(server.pid, 'SIGCONT');
    }

    // Back: the redelivery starts tracking the order only that webhook announced.
    expect(await redeliverUntilTaken(fresh, 'PROCESSING')).toMatchObject({ status: 200, result: 'signalled' });
    expect((await pushedStatuses(fresh)).length).toBeGreaterThanOrEqual(1);
    const description = await new Client({ connection }).workflow.getHandle(orderWorkflowId('ozzobit', fresh)).describe();
    expect(description.status.name).toBe('RUNNING');
    // And the running order heard both of its statuses.
    expect((await pushedStatuses(running)).length).toBeGreaterThanOrEqual(2);
  },
  TEST_TIMEOUT_MS,
);
