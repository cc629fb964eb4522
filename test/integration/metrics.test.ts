/**
 * The real `order-tracker worker` process with METRICS_PORT, against the dev server and every
 * provider simulator of the sandbox stack: its Prometheus endpoint, scraped while sandbox orders
 * run, shows the SDK's runtime metrics and ours (polls for each configured provider, the poll
 * queue and rate-budget waits, pushes by result, detection lag, outcomes); its stdout is JSON log
 * lines carrying the order key.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import readline from 'node:readline';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { OZZOBIT_SIGNATURE_HEADER, signOzzobitWebhook } from '../../providers/ozzobit/ozzobit-protocol';
import { OrderTracker } from '../../client/order-tracker';
import { loadConfig, withoutPushSettings } from '../../common/config';
import { findFreePort } from '../../common/temporal-servers';
import { addDemoOrders, type DemoOrder } from '../../sandbox/demo-orders';
import { startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack';
import { METRIC } from '../../workers/metrics-interceptor';
import { webhookPath } from '../../workers/push/webhook-routes';
import { PUSH_RECEIPTS_METRIC } from '../../workers/push/push-receipts';
import { orderWorkflowId } from '../../domain/ids';
import { statusPushedSignal } from '../../workflows/messages';
import type { ProviderName } from '../../domain/types';
import { cleanEnvironment } from '../../harness/cli-process';
import { createDevEnvironment } from '../helpers/environments';
import { eventually } from '../helpers/eventually';
import { temporaryLedger, uniqueId } from '../helpers/worker-stack';

const PROJECT_ROOT = join(__dirname, '..', '..');
const TASK_QUEUE = 'metrics-integration';
/** The worker bundles the workflows at start (seconds), then polls each order at once. */
const TEST_TIMEOUT_MS = 90_000;
/** An in-flight status, then a later one, per provider. */
const CHANGING_STATUSES: Record<ProviderName, [string, string]> = {
  magma: ['WAITING_FOR_BUYER_PAYMENT', 'WAITING_FOR_CHANNEL_OPEN'],
  // MiracleCash has one in-flight status: the second is one its module does not know (kept in flight).
  miraclecash: ['pending', 'under_review'],
  ozzobit: ['PROCESSING', 'PENDING_DELIVERY'],
  houdini: ['WAITING', 'CONFIRMING'],
};

let environment: TestWorkflowEnvironment;
let stack: SandboxStack;
let worker: ServiceProcess;
let ingressPort: number;
let ledgerFile: string;
let providers: ProviderName[];

type LogEntry = Record<string, unknown> & { message: string; level: string };

/** `order-tracker <command>` running as a service: its JSON log lines, its stderr, its metrics endpoint. */
interface ServiceProcess {
  metricsUrl: string;
  logs(): LogEntry[];
  stderr(): string;
  stop(): Promise<void>;
}

async function startService(command: 'worker' | 'ingress', variables: Record<string, string>, runningMessage: string): Promise<ServiceProcess> {
  const port = await findFreePort();
  const env = cleanEnvironment({
    ...variables,
    TEMPORAL_ADDRESS: environment.address,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    DATABASE_URL: `sqlite:${ledgerFile}`,
    METRICS_PORT: String(port),
  });
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'order-tracker.js'), command], { cwd: PROJECT_ROOT, env });
  const lines: string[] = [];
  let stderr = '';
  readline.createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const service: ServiceProcess = {
    metricsUrl: `http://127.0.0.1:${port}/metrics`,
    logs: () => lines.map((line) => JSON.parse(line) as LogEntry),
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
  await eventually(
    `${command} logs that it runs`,
    () => {
      if (child.exitCode !== null) throw new Error(`${command} exited ${child.exitCode}: ${stderr}`);
      return service.logs().some((entry) => entry.message === runningMessage);
    },
    { timeoutMs: 45_000 },
  );
  return service;
}

beforeAll(async () => {
  environment = await createDevEnvironment();
  // The OZZOBiT simulator posts its webhooks to the ingress the second test starts.
  ingressPort = await findFreePort();
  stack = await startSandboxStack({ ozzobitWebhookUrl: `http://127.0.0.1:${ingressPort}${webhookPath('ozzobit')}` });
  providers = loadConfig(stack.environment).configuredProviders;
  ledgerFile = (await temporaryLedger()).file;
  // The worker polls every provider at its own cadence (no push settings, no fallback cadence), at a
  // tenth of the real one (its adapters' clock), for the orders the detection-lag test starts scaled.
  worker = await startService('worker', { ...withoutPushSettings(stack.environment), SANDBOX_TIME_SCALE: '10' }, 'order-tracker worker running');
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  await worker?.stop();
  await stack?.close();
  await environment?.teardown();
});

/** Prometheus text format: samples of one metric as { labels, value }. */
function samples(text: string, name: string): { labels: Record<string, string>; value: number }[] {
  const pattern = new RegExp(`^${name}(?:\\{([^}]*)\\})? (\\S+)$`, 'gm');
  return [...text.matchAll(pattern)].map((match) => ({
    labels: Object.fromEntries([...(match[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((label) => [label[1], label[2]])),
    value: Number(match[2]),
  }));
}

function total(text: string, name: string, labels: Record<string, string>): number {
  return samples(text, name)
    .filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}

async function scrape(service: ServiceProcess = worker): Promise<string> {
  const response = await fetch(service.metricsUrl);
  expect(response.status).toBe(200);
  return response.text();
}

test('the sandbox configures at least Magma', () => {
  expect(providers).toContain('magma');
});

test(
  'scraped during a sandbox run: runtime metrics, polls and queue waits for every provider, then outcomes; JSON logs carry the order key',
  async () => {
    const tracker = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE });
    const demos: DemoOrder[] = addDemoOrders(stack, uniqueId('metrics'));
    const tracked = demos.filter((demo) => providers.includes(demo.provider));
    for (const demo of tracked) await tracker.track(demo.provider, demo.orderId, { maxWaitMs: demo.maxWaitMs });

    const polls = METRIC.polls;
    let text = '';
    await eventually(
      `every provider (${providers.join(', ')}) has polls counted on ${worker.metricsUrl}`,
      async () => {
        text = await scrape();
        return providers.every((provider) => total(text, polls, { provider }) > 0);
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    // The SDK's own runtime metrics come through the same endpoint.
    expect(text).toMatch(/^temporal_worker_start\{/m);
    expect(text).toMatch(/^temporal_activity_execution_latency_bucket\{.*activity_type="pollUntilChanged"/m);
    for (const provider of providers) {
      expect(total(text, `${METRIC.pollScheduleToStart}_count`, { provider })).toBeGreaterThan(0);
      // Every poll passes its provider's budget on the worker (the default 5 requests/s).
      expect(total(text, `${METRIC.rateBudgetWait}_count`, { provider, cause: 'pacing' })).toBeGreaterThan(0);
      expect(samples(text, polls).find((sample) => sample.labels.provider === provider)?.labels).toMatchObject({
        result: expect.stringMatching(/^(ok|unchanged|Provider\w+)$/),
        taskQueue: `${TASK_QUEUE}-poll-${provider}`,
        activityType: 'pollUntilChanged',
      });
    }

    // A push (the signal the ingress and push bridges send) is counted by the order, by what it did:
    // one that ranks below the current status is stale; a payload that is no observation is invalid.
    // Only orders with a status get them: before its first answer any status ranks above none.
    let answered: DemoOrder[] = [];
    await eventually('an order of every provider has its first status', async () => {
      const progress = await Promise.all(tracked.map((demo) => tracker.progress(demo.provider, demo.orderId)));
      answered = tracked.filter((_demo, index) => progress[index]?.status !== null);
      return providers.every((provider) => answered.some((demo) => demo.provider === provider));
    });
    for (const demo of answered) {
      const handle = environment.client.workflow.getHandle(orderWorkflowId(demo.provider, demo.orderId));
      await handle.signal(statusPushedSignal, { status: 'PUSHED_EARLIER', phase: 'in_flight', rank: -1, nextWaitMs: 60_000, details: {} });
      await handle.signal(statusPushedSignal, { status: 'NOT_AN_OBSERVATION' } as never);
    }
    await eventually('stale and invalid pushes are counted', async () => {
      text = await scrape();
      return providers.every((provider) => ['stale', 'invalid'].every((result) => total(text, METRIC.pushes, { provider, result }) > 0));
    });
    for (const provider of providers) expect(total(text, METRIC.pushes, { provider, result: 'applied' })).toBe(0);

    // Detection lag: an order whose status changes after its first answer, polled at a tenth of the
    // real cadence, records the poll's bound; a newer status pushed through OrderTracker.push (as the
    // ingress does) records the push's arrival-to-workflow time.
    const changing = providers.map((provider) => ({ provider, orderId: uniqueId(`lag-${provider}`) }));
    for (const { provider, orderId } of changing) {
      const [first, second] = CHANGING_STATUSES[provider];
      stack[provider].addOrder({ id: orderId, steps: [{ status: first, requests: 1 }, { status: second }] });
    }
    const scaled = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE, settings: { minRequestGapMs: 500, attentionRecheckMs: 30_000 } });
    for (const { provider, orderId } of changing) await scaled.track(provider, orderId);
    const lagCount = `${METRIC.detectionLag}_count`;
    await eventually('every provider records a poll detection lag', async () => {
      text = await scrape();
      return providers.every((provider) => total(text, lagCount, { provider, source: 'poll' }) > 0);
    });
    for (const provider of providers) {
      // The bound is the time since the previous poll: at least the scaled 5 s floor.
      const sum = total(text, `${METRIC.detectionLag}_sum`, { provider, source: 'poll' });
      expect(sum / total(text, lagCount, { provider, source: 'poll' })).toBeGreaterThanOrEqual(500);
    }
    for (const { provider, orderId } of changing) {
      await scaled.push(provider, orderId, { status: 'PUSHED_LATER', phase: 'in_flight', recognised: false, rank: 1_000, nextWaitMs: 60_000, details: {} });
    }
    await eventually('every provider records a push detection lag', async () => {
      text = await scrape();
      return providers.every((provider) => total(text, lagCount, { provider, source: 'push' }) > 0);
    });
    for (const provider of providers) expect(total(text, METRIC.pushes, { provider, result: 'applied' })).toBe(1);
    expect(text).toMatch(new RegExp(`^${METRIC.detectionLag}_bucket\\{.*le="1000"`, 'm'));

    // Ending the orders counts their outcomes.
    const ending = [...tracked, ...changing];
    for (const order of ending) await tracker.cancel(order.provider, order.orderId, 'metrics test done').catch(() => undefined);
    for (const order of ending) await tracker.result(order.provider, order.orderId);
    await eventually('outcomes are counted', async () => {
      text = await scrape();
      return providers.every((provider) => total(text, METRIC.outcomes, { provider, outcome: 'tracking_cancelled' }) > 0);
    });

    // Log lines are buffered briefly (the Runtime sorts them with Core's) before they are written.
    const keys = ending.map((order) => `${order.provider}:${order.orderId}`).sort();
    const recordedKeys = () => worker.logs().filter((entry) => entry.message === 'outcome recorded').map((entry) => entry.orderKey);
    await eventually('every outcome is logged', () => recordedKeys().length >= keys.length);
    const entries = worker.logs();
    for (const entry of entries) expect(typeof entry.time === 'string' && typeof entry.level === 'string').toBe(true);
    const recorded = entries.filter((entry) => entry.message === 'outcome recorded');
    expect(recorded.map((entry) => entry.orderKey).sort()).toEqual(keys);
    expect(recorded[0]).toMatchObject({ level: 'INFO', activityType: 'recordOutcome', workflowId: expect.stringMatching(/^order:/) });
    // Workflow log lines carry it too, derived from the workflow id.
    const cancelled = entries.filter((entry) => entry.message === 'tracking cancel requested');
    expect(cancelled.length).toBeGreaterThan(0);
    for (const entry of cancelled) expect(entry.orderKey).toBe(String(entry.workflowId).replace(/^order:/, ''));
    expect(worker.stderr()).toBe('');
  },
  TEST_TIMEOUT_MS,
);

test(
  'the ingress process in the same sandbox run: push receipts by provider, channel and result on its METRICS_PORT; JSON logs with the order key',
  async () => {
    const ingress = await startService('ingress', { ...stack.environment, INGRESS_PORT: String(ingressPort) }, 'order-tracker ingress running');
    try {
      // Nobody tracks these: each simulator pushes the change (OZZOBiT a signed webhook, Houdini a
      // WebSocket update) and the push starts tracking the order.
      // The Houdini simulator pushes to subscribed sockets only.
      await eventually('the Houdini bridge subscribed', () => ingress.logs().some((entry) => entry.message === 'subscribed to all Houdini order updates'));
      const pushed = { ozzobit: uniqueId('receipt-ozzobit'), houdini: uniqueId('receipt-houdini') };
      stack.ozzobit.addOrder({ id: pushed.ozzobit, steps: [{ status: 'PROCESSING', durationMs: 1_000 }, { status: 'PENDING_DELIVERY' }] });
      stack.houdini.addOrder({ id: pushed.houdini, steps: [{ status: 'WAITING', durationMs: 1_000 }, { status: 'CONFIRMING' }] });
      // A webhook signed with the wrong secret, and a signed one that is no order event.
      const webhookUrl = `http://127.0.0.1:${ingressPort}${webhookPath('ozzobit')}`;
      const post = (body: string, secret: string) =>
        fetch(webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [OZZOBIT_SIGNATURE_HEADER]: signOzzobitWebhook(body, secret) },
          body,
        }).then((response) => response.status);
      const event = JSON.stringify({ eventName: 'ORDER_COMPLETED', data: { id: uniqueId('forged'), status: 'COMPLETED' } });
      expect(await post(event, 'not-the-secret')).toBe(401);
      const secret = stack.environment.OZZOBIT_WEBHOOK_SECRET ?? '';
      // Not an order event: answered 2xx as the seed's switch does, counted apart.
      expect(await post(JSON.stringify({ eventName: 'KYC_APPROVED', data: {} }), secret)).toBe(200);
      // An order event without its order: unreadable.
      expect(await post(JSON.stringify({ eventName: 'ORDER_COMPLETED', data: {} }), secret)).toBe(400);

      const receipts = (text: string, provider: ProviderName, channel: string, result: string) => total(text, PUSH_RECEIPTS_METRIC, { provider, channel, result });
      let text = '';
      await eventually(`both pushes are counted as signalled on ${ingress.metricsUrl}`, async () => {
        text = await scrape(ingress);
        return receipts(text, 'ozzobit', 'webhook', 'signalled') > 0 && receipts(text, 'houdini', 'websocket', 'signalled') > 0;
      });
      expect(receipts(text, 'ozzobit', 'webhook', 'refused')).toBe(1);
      expect(receipts(text, 'ozzobit', 'webhook', 'malformed')).toBe(1);
      expect(receipts(text, 'ozzobit', 'webhook', 'other_event')).toBe(1);

      // Each push is logged as a JSON line carrying its order key, by the route or bridge that received it.
      const received = (provider: keyof typeof pushed) =>
        ingress.logs().find((entry) => entry.message === 'push received' && entry.orderKey === `${provider}:${pushed[provider]}`);
      await eventually('both pushes are logged', () => received('ozzobit') !== undefined && received('houdini') !== undefined);
      expect(received('ozzobit')).toMatchObject({ level: 'INFO', component: 'ozzobit webhook', status: expect.stringMatching(/^(PROCESSING|PENDING_DELIVERY)$/), result: 'signalled' });
      expect(received('houdini')).toMatchObject({ level: 'INFO', component: 'houdini bridge', status: expect.stringMatching(/^(WAITING|CONFIRMING)$/), result: 'signalled' });
      expect(ingress.logs().find((entry) => String(entry.message).startsWith('refused webhooks'))).toMatchObject({ level: 'WARN', component: 'ozzobit webhook', count: 1 });
      // The pushes started tracking: the orders the worker now polls.
      const tracker = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE });
      for (const provider of ['ozzobit', 'houdini'] as const) {
        await eventually(`${provider} order ${pushed[provider]} is tracked`, async () => (await tracker.progress(provider, pushed[provider]).catch(() => undefined)) !== undefined);
        await tracker.cancel(provider, pushed[provider], 'metrics test done');
      }
      expect(ingress.stderr()).toBe('');
    } finally {
      await ingress.stop();
    }
  },
  TEST_TIMEOUT_MS,
);
