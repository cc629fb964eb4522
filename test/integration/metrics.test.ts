/**
 * The real `order-tracker worker` process with METRICS_PORT, against the dev server and every
 * provider simulator of the sandbox stack: its Prometheus endpoint, scraped while sandbox orders
 * run, shows the SDK's runtime metrics and ours (polls for each configured provider, the poll
 * queue wait, pushes, detection lag, outcomes); its stdout is JSON log lines carrying the order key.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import readline from 'node:readline';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { OrderTracker } from '../../client/order-tracker';
import { loadConfig, withoutPushSettings } from '../../common/config';
import { findFreePort } from '../../common/temporal-servers';
import { addDemoOrders, type DemoOrder } from '../../sandbox/demo-orders';
import { startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack';
import { METRIC } from '../../workers/metrics-interceptor';
import { orderWorkflowId } from '../../workflows/ids';
import { statusPushedSignal } from '../../workflows/messages';
import type { ProviderName } from '../../workflows/types';
import { cleanEnvironment } from '../helpers/cli-process';
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
let worker: ChildProcessWithoutNullStreams;
let metricsUrl: string;
let providers: ProviderName[];
const logLines: string[] = [];
let workerStderr = '';

beforeAll(async () => {
  environment = await createDevEnvironment();
  stack = await startSandboxStack();
  providers = loadConfig(stack.environment).configuredProviders;
  const port = await findFreePort();
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  // No ingress runs here: the worker polls every provider at its own cadence.
  const env = cleanEnvironment({
    ...withoutPushSettings(stack.environment),
    TEMPORAL_ADDRESS: environment.address,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    DATABASE_URL: `sqlite:${temporaryLedger().file}`,
    METRICS_PORT: String(port),
  });
  worker = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'order-tracker.js'), 'worker'], { cwd: PROJECT_ROOT, env });
  readline.createInterface({ input: worker.stdout }).on('line', (line) => logLines.push(line));
  worker.stderr.setEncoding('utf8').on('data', (chunk: string) => (workerStderr += chunk));
  await eventually(
    'the worker logs that it runs',
    () => {
      if (worker.exitCode !== null) throw new Error(`worker exited ${worker.exitCode}: ${workerStderr}`);
      return logs().some((entry) => entry.message === 'order-tracker worker running');
    },
    { timeoutMs: 45_000 },
  );
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  if (worker && worker.exitCode === null) {
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.kill('SIGTERM');
    await exited;
  }
  await stack?.close();
  await environment?.teardown();
});

type LogEntry = Record<string, unknown> & { message: string; level: string };

function logs(): LogEntry[] {
  return logLines.map((line) => JSON.parse(line) as LogEntry);
}

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

async function scrape(): Promise<string> {
  const response = await fetch(metricsUrl);
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
      `every provider (${providers.join(', ')}) has polls counted on ${metricsUrl}`,
      async () => {
        text = await scrape();
        return providers.every((provider) => total(text, polls, { provider }) > 0);
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    // The SDK's own runtime metrics come through the same endpoint.
    expect(text).toMatch(/^temporal_worker_start\{/m);
    expect(text).toMatch(/^temporal_activity_execution_latency_bucket\{.*activity_type="pollOrder"/m);
    for (const provider of providers) {
      expect(total(text, `${METRIC.pollScheduleToStart}_count`, { provider })).toBeGreaterThan(0);
      expect(samples(text, polls).find((sample) => sample.labels.provider === provider)?.labels).toMatchObject({
        result: expect.stringMatching(/^(ok|Provider\w+)$/),
        taskQueue: `${TASK_QUEUE}-poll-${provider}`,
        activityType: 'pollOrder',
      });
    }

    // A push (the signal the ingress and push bridges send) is counted by the workflow interceptor:
    // one that ranks below the current status changes nothing else.
    for (const demo of tracked) {
      await environment.client.workflow
        .getHandle(orderWorkflowId(demo.provider, demo.orderId))
        .signal(statusPushedSignal, { status: 'PUSHED_EARLIER', phase: 'in_flight', rank: -1, nextWaitMs: 60_000, details: {} });
    }
    await eventually('pushes are counted', async () => {
      text = await scrape();
      return providers.every((provider) => total(text, METRIC.pushes, { provider }) > 0);
    });

    // Detection lag: an order whose status changes after its first answer, polled at a tenth of the
    // real cadence, records the poll's bound; a newer status pushed through OrderTracker.push (as the
    // ingress does) records the push's arrival-to-workflow time.
    const changing = providers.map((provider) => ({ provider, orderId: uniqueId(`lag-${provider}`) }));
    for (const { provider, orderId } of changing) {
      const [first, second] = CHANGING_STATUSES[provider];
      stack[provider].addOrder({ id: orderId, steps: [{ status: first, requests: 1 }, { status: second }] });
    }
    const scaled = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE, settings: { timeScale: 10 } });
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
    const recordedKeys = () => logs().filter((entry) => entry.message === 'outcome recorded').map((entry) => entry.orderKey);
    await eventually('every outcome is logged', () => recordedKeys().length >= keys.length);
    const entries = logs();
    for (const entry of entries) expect(typeof entry.time === 'string' && typeof entry.level === 'string').toBe(true);
    const recorded = entries.filter((entry) => entry.message === 'outcome recorded');
    expect(recorded.map((entry) => entry.orderKey).sort()).toEqual(keys);
    expect(recorded[0]).toMatchObject({ level: 'INFO', activityType: 'recordOutcome', workflowId: expect.stringMatching(/^order:/) });
    // Workflow log lines carry it too, derived from the workflow id.
    const cancelled = entries.filter((entry) => entry.message === 'tracking cancel requested');
    expect(cancelled.length).toBeGreaterThan(0);
    for (const entry of cancelled) expect(entry.orderKey).toBe(String(entry.workflowId).replace(/^order:/, ''));
    expect(workerStderr).toBe('');
  },
  TEST_TIMEOUT_MS,
);
