/**
 * The alert rules on a real Prometheus (Debian's, scripts/install-prometheus.sh) scraping a real
 * `order-tracker worker` and `ingress` during a scripted fault: the merchant's callback endpoint
 * answers 500. The matching alert fires, as Prometheus's own HTTP API reports it, and the alerts for
 * what is fine stay quiet. The rules are deploy/prometheus/order-tracker-rules.yml as shipped, their
 * `for:` durations set to 0 s so the test does not wait a quarter of an hour for them.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { OrderTracker } from '../../client/order-tracker';
import { findFreePort } from '../../common/temporal-servers';
import { startMagmaSandbox, type MagmaSandbox } from '../../sandbox/magma';
import { type CallbackReceiver, startCallbackReceiver } from '../../harness/servers/callback-receiver';
import { cleanEnvironment } from '../../harness/cli-process';
import { createDevEnvironment } from '../helpers/environments';
import { eventually } from '../helpers/eventually';
import { type ServiceProcess, startService } from '../helpers/order-tracker-service';
import { temporaryLedger, uniqueId } from '../helpers/worker-stack';

const ROOT = join(__dirname, '..', '..');
const API_KEY = 'alerts-magma-key';
const CALLBACK_SECRET = 'alerts-callback-secret';
const TASK_QUEUE = 'alerts-integration';
const TEST_TIMEOUT_MS = 240_000;

interface Alert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}

let environment: TestWorkflowEnvironment;
let sandbox: MagmaSandbox;
let receiver: CallbackReceiver;
let worker: ServiceProcess;
let ingress: ServiceProcess;
let prometheus: ChildProcess;
let prometheusUrl: string;

/** The shipped rules with every `for:` at 0 s: the same expressions, firing as soon as they hold. */
function rulesWithoutWaiting(directory: string): string {
  const rules = parse(readFileSync(join(ROOT, 'deploy', 'prometheus', 'order-tracker-rules.yml'), 'utf8')) as { groups: { rules: { for?: string }[] }[] };
  for (const group of rules.groups) for (const rule of group.rules) if (rule.for !== undefined) rule.for = '0s';
  const file = join(directory, 'rules.yml');
  writeFileSync(file, stringify(rules));
  return file;
}

async function startPrometheus(targets: { worker: number; ingress: number }): Promise<void> {
  const bin = execFileSync('bash', [join(ROOT, 'scripts', 'install-prometheus.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const directory = mkdtempSync(join(tmpdir(), 'order-tracker-prometheus-'));
  const config = {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: [rulesWithoutWaiting(directory)],
    scrape_configs: [
      { job_name: 'order-tracker-worker', static_configs: [{ targets: [`127.0.0.1:${targets.worker}`] }] },
      { job_name: 'order-tracker-ingress', static_configs: [{ targets: [`127.0.0.1:${targets.ingress}`] }] },
    ],
  };
  writeFileSync(join(directory, 'prometheus.yml'), stringify(config));
  const port = await findFreePort();
  prometheusUrl = `http://127.0.0.1:${port}`;
  prometheus = spawn(join(bin, 'prometheus'), [
    `--config.file=${join(directory, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(directory, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  prometheus.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  await eventually(`Prometheus is ready at ${prometheusUrl} (${stderr})`, async () => (await fetch(`${prometheusUrl}/-/ready`)).ok, { timeoutMs: 30_000 });
}

async function prometheusApi<T>(path: string): Promise<T> {
  const response = await fetch(`${prometheusUrl}${path}`);
  const body = (await response.json()) as { status: string; data: T };
  if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${JSON.stringify(body)}`);
  return body.data;
}

const alerts = async (): Promise<Alert[]> => (await prometheusApi<{ alerts: Alert[] }>('/api/v1/alerts')).alerts;

beforeAll(async () => {
  environment = await createDevEnvironment();
  sandbox = await startMagmaSandbox({ apiKey: API_KEY });
  receiver = await startCallbackReceiver(CALLBACK_SECRET);
  // The scripted fault: the merchant's endpoint fails every delivery.
  receiver.answer = () => 500;
  const ledgerFile = (await temporaryLedger()).file;
  const ports = { worker: await findFreePort(), ingress: await findFreePort() };
  const common = { TEMPORAL_ADDRESS: environment.address, TEMPORAL_TASK_QUEUE: TASK_QUEUE, DATABASE_URL: `sqlite:${ledgerFile}` };
  [worker, ingress] = await Promise.all([
    startService('worker', cleanEnvironment({
      ...common,
      MAGMA_URL: sandbox.url,
      MAGMA_API_KEY: API_KEY,
      FULFILLMENT_WEBHOOK_URL: receiver.url,
      FULFILLMENT_WEBHOOK_SECRET: CALLBACK_SECRET,
      METRICS_PORT: String(ports.worker),
      SANDBOX_TIME_SCALE: '10',
    }), 'order-tracker worker running'),
    startService('ingress', cleanEnvironment({
      ...common,
      INGRESS_PORT: String(await findFreePort()),
      OZZOBIT_WEBHOOK_SECRET: 'alerts-webhook-secret',
      METRICS_PORT: String(ports.ingress),
    }), 'order-tracker ingress running'),
  ]);
  await startPrometheus(ports);
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  prometheus?.kill('SIGTERM');
  await Promise.allSettled([worker?.stop(), ingress?.stop()]);
  await receiver?.close();
  await sandbox?.close();
  await environment?.teardown();
});

test(
  'with the callback endpoint answering 500, Prometheus fires OrderTrackerCallbacksRetrying for the provider; the rest stays quiet',
  async () => {
    const orderId = uniqueId('alert');
    sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT', requests: 1 }, { status: 'VALID_CHANNEL_OPENING' }] });
    const tracker = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE });
    await tracker.track('magma', orderId);

    let firing: Alert[] = [];
    await eventually(
      'Prometheus reports OrderTrackerCallbacksRetrying firing for magma',
      async () => {
        firing = (await alerts()).filter((alert) => alert.state === 'firing');
        return firing.some((alert) => alert.labels.alertname === 'OrderTrackerCallbacksRetrying' && alert.labels.provider === 'magma');
      },
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );
    // Every delivery failed and was retried; none reached the merchant as accepted.
    expect(receiver.received.filter((delivery) => delivery.idempotencyKey === `magma:${orderId}:succeeded`).length).toBeGreaterThanOrEqual(2);
    expect(receiver.accepted().size).toBe(0);
    // What is fine does not fire: the provider answered, the ingress's webhook channel is up, the
    // order ended (not past its max wait), polls ran, no callback was rejected.
    const quiet = ['OrderTrackerProviderFailuresRising', 'OrderTrackerPushChannelDown', 'OrderTrackerOrdersPastMaxWait', 'OrderTrackerPollingStopped', 'OrderTrackerCallbackRejected'];
    expect(firing.filter((alert) => quiet.includes(alert.labels.alertname ?? ''))).toEqual([]);

    // The metrics the rules read are what the two processes export, found in Prometheus's own store.
    const names = await prometheusApi<string[]>('/api/v1/label/__name__/values');
    expect(names).toEqual(
      expect.arrayContaining([
        'order_tracker_callbacks',
        'order_tracker_polls',
        'order_tracker_orders_in_flight',
        'order_tracker_orders_past_max_wait',
        'order_tracker_push_channel_up',
        'order_tracker_poll_schedule_to_start_latency_bucket',
        'order_tracker_detection_lag_bucket',
        'temporal_worker_task_slots_available',
        'temporal_num_pollers',
        'temporal_workflow_task_schedule_to_start_latency_bucket',
      ]),
    );
    expect(worker.stderr()).toBe('');
    // The order watch counted through visibility without a failure (order_tracker_orders_in_flight).
    expect(worker.logs().filter((entry) => entry.message.startsWith('could not count'))).toEqual([]);
  },
  TEST_TIMEOUT_MS,
);
