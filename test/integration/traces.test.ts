/**
 * One trace per order, exported over OTLP/HTTP to a small receiver in this test on 127.0.0.1 (JSON
 * encoding, decoded here). An OZZOBiT order nobody tracked is pushed to the real `order-tracker
 * ingress` (a signed webhook saying COMPLETED); the real `order-tracker worker` confirms it with one
 * poll of the simulator, records it, calls the merchant back and runs the hook step. Both processes
 * run with OTEL_EXPORTER_OTLP_ENDPOINT; when they stop they flush. Every span of the order has the
 * one trace id its key gives, each span's parent is in the trace, the chain runs from the push to
 * the callback's request (whose `traceparent` the merchant received), and the spans name the
 * provider, the order and the outcome. The history the traced worker wrote replays with and
 * without the tracing interceptors.
 */
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OrderTracker } from '../../client/order-tracker';
import { Client } from '@temporalio/client';
import { installTracing, orderTraceId, tracingClientInterceptors } from '../../common/tracing';
import { orderWorkflowId } from '../../domain/ids';
import { openLedger } from '../../storage/open-database';
import { signOzzobitWebhook } from '../../providers/ozzobit/ozzobit-protocol';
import { startOzzobitSandbox, type OzzobitSandbox } from '../../sandbox/ozzobit';
import { TRACING_WORKFLOW_MODULE } from '../../workers/tracing-interceptors';
import { type CallbackReceiver, startCallbackReceiver } from '../../harness/servers/callback-receiver';
import { cleanEnvironment } from '../../harness/cli-process';
import { createDevEnvironment } from '../helpers/environments';
import { eventually } from '../helpers/eventually';
import { type ServiceProcess, startService } from '../helpers/order-tracker-service';
import { temporaryLedger, uniqueId } from '../helpers/worker-stack';
import { findFreePort } from '../../common/temporal-servers';

const SECRET_KEY = 'traces-ozzobit-secret';
const WEBHOOK_SECRET = 'traces-webhook-secret';
const CALLBACK_SECRET = 'traces-callback-secret';
const TASK_QUEUE = 'traces-integration';
const TEST_TIMEOUT_MS = 240_000;

interface Span {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  attributes: Record<string, unknown>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}

function attributes(list: OtlpAttribute[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, value.stringValue ?? value.intValue ?? value.boolValue ?? value.doubleValue]));
}

/** An OTLP/HTTP traces endpoint: POST /v1/traces with ExportTraceServiceRequest as JSON, decoded. */
async function startOtlpReceiver(): Promise<{ url: string; spans: Span[]; close(): Promise<void> }> {
  const spans: Span[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.url !== '/v1/traces' || request.headers['content-type'] !== 'application/json') {
        response.writeHead(415).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: { resource: { attributes: OtlpAttribute[] }; scopeSpans: { spans: { traceId: string; spanId: string; parentSpanId?: string; name: string; attributes?: OtlpAttribute[] }[] }[] }[];
      };
      for (const resourceSpans of body.resourceSpans) {
        const service = String(attributes(resourceSpans.resource.attributes)['service.name']);
        for (const scope of resourceSpans.scopeSpans) {
          for (const span of scope.spans) {
            spans.push({ service, traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId ?? '', name: span.name, attributes: attributes(span.attributes) });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

let environment: TestWorkflowEnvironment;
let sandbox: OzzobitSandbox;
let receiver: CallbackReceiver;
let otlp: Awaited<ReturnType<typeof startOtlpReceiver>>;
let worker: ServiceProcess | undefined;
let ingress: ServiceProcess | undefined;
let ingressUrl: string;
let ledgerFile: string;

beforeAll(async () => {
  environment = await createDevEnvironment();
  sandbox = await startOzzobitSandbox({ secretKey: SECRET_KEY, apiKey: 'traces-socket-key' });
  receiver = await startCallbackReceiver(CALLBACK_SECRET);
  otlp = await startOtlpReceiver();
  ledgerFile = (await temporaryLedger()).file;
  const ingressPort = await findFreePort();
  ingressUrl = `http://127.0.0.1:${ingressPort}`;
  const common = { TEMPORAL_ADDRESS: environment.address, TEMPORAL_TASK_QUEUE: TASK_QUEUE, DATABASE_URL: `sqlite:${ledgerFile}`, OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url };
  [worker, ingress] = await Promise.all([
    // A tenth of OZZOBiT's cadence, for the order that changes often enough to continue as new; with
    // a hook, so the hook's step is in the trace (a worker without one schedules none).
    startService('worker-with-hook', cleanEnvironment({ ...common, OZZOBIT_URL: sandbox.url, OZZOBIT_SECRET_KEY: SECRET_KEY, FULFILLMENT_WEBHOOK_URL: receiver.url, FULFILLMENT_WEBHOOK_SECRET: CALLBACK_SECRET, SANDBOX_TIME_SCALE: '10' }), 'order-tracker worker running'),
    startService('ingress', cleanEnvironment({ ...common, INGRESS_PORT: String(ingressPort), OZZOBIT_WEBHOOK_SECRET: WEBHOOK_SECRET }), 'order-tracker ingress running'),
  ]);
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  await Promise.allSettled([worker?.stop(), ingress?.stop()]);
  await otlp?.close();
  await receiver?.close();
  await sandbox?.close();
  await environment?.teardown();
});

test(
  'an order tracked by a traced client stays one trace across continue-as-new: each run is a child of the run before',
  async () => {
    // This process traces too, as `order-tracker track` does: its start opens the order's trace.
    const tracing = installTracing({ tracesUrl: `${otlp.url}/v1/traces`, headers: {} }, 'order-tracker-test');
    const client = new Client({ connection: environment.client.connection, interceptors: { workflow: tracingClientInterceptors() } });
    const orderId = uniqueId('traced-runs');
    // 60 changes of about five events each (its poll group's report, a workflow task, the status
    // upsert): past the 200 events a run may have at least.
    const steps = Array.from({ length: 60 }, (_, index) => ({ status: index % 2 === 0 ? 'PROCESSING' : 'PENDING_DELIVERY', requests: 1 }));
    sandbox.addOrder({ id: orderId, steps: [...steps, { status: 'COMPLETED' }] });
    const tracker = new OrderTracker({ client, taskQueue: TASK_QUEUE, settings: { minRequestGapMs: 500, continueAsNewAfterEvents: 200 } });
    try {
      await tracker.track('ozzobit', orderId);
      expect(await tracker.result('ozzobit', orderId)).toMatchObject({ outcome: 'succeeded' });
    } finally {
      await tracing?.shutdown();
    }
    const traceId = orderTraceId('ozzobit', orderId);
    let runs: Span[] = [];
    await eventually('the runs\' spans are exported', () => {
      runs = otlp.spans.filter((span) => span.traceId === traceId && span.name === 'RunWorkflow:trackOrder');
      return runs.length >= 2 && otlp.spans.some((span) => span.traceId === traceId && span.name === 'RunActivity:runHook');
    }, { timeoutMs: 30_000 });
    const trace = otlp.spans.filter((span) => span.traceId === traceId);
    const byId = new Map(trace.map((span) => [span.spanId, span]));
    const root = trace.filter((span) => span.parentSpanId === '');
    // The track opens the trace; each change its poll group reports enters it from the group's worker
    // (the group's activity belongs to no order): one root per report, in the order's trace.
    const roots = root.map((span) => `${span.service} ${span.name}`);
    expect(roots.filter((name) => name !== 'order-tracker-worker order.report')).toEqual(['order-tracker-test order.track']);
    expect(roots.length).toBeGreaterThan(1);
    // The first run is started by the track; each later one continues from a ContinueAsNew span of the one before.
    const parents = runs.map((run) => byId.get(run.parentSpanId));
    expect(parents.filter((parent) => parent?.name === 'StartWorkflow:trackOrder')).toHaveLength(1);
    const continued = parents.filter((parent) => parent?.name === 'ContinueAsNew:trackOrder');
    expect(continued).toHaveLength(runs.length - 1);
    for (const step of continued) expect(byId.get(step?.parentSpanId ?? '')?.name).toBe('RunWorkflow:trackOrder');
    expect(trace.filter((span) => span.parentSpanId !== '' && !byId.has(span.parentSpanId))).toEqual([]);
  },
  TEST_TIMEOUT_MS,
);

test(
  'an order tracked from a push to its callback is one trace: one trace id, every parent in it, provider, order and outcome named',
  async () => {
    const orderId = uniqueId('traced');
    sandbox.addOrder({ id: orderId, steps: [{ status: 'COMPLETED' }] });
    const body = JSON.stringify({ eventName: 'ORDER_COMPLETED', data: { id: orderId, status: 'COMPLETED', cryptoCurrency: 'USDT' } });
    const pushed = await fetch(`${ingressUrl}/webhooks/ozzobit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-OZZOBiT-signature': signOzzobitWebhook(body, WEBHOOK_SECRET) },
      body,
    });
    expect(await pushed.json()).toMatchObject({ received: true, orderId, result: 'signalled' });
    const tracker = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE });
    expect(await tracker.result('ozzobit', orderId)).toMatchObject({ outcome: 'succeeded', status: 'COMPLETED', pushes: 1 });
    const history = await environment.client.workflow.getHandle(orderWorkflowId('ozzobit', orderId)).fetchHistory();
    // Stopped, the processes flush what they still buffer.
    expect(await ingress?.stop()).toBe(0);
    expect(await worker?.stop()).toBe(0);

    const traceId = orderTraceId('ozzobit', orderId);
    const trace = otlp.spans.filter((span) => span.traceId === traceId);
    const named = (name: string): Span => {
      const found = trace.filter((span) => span.name === name);
      expect(found.map((span) => span.name)).toEqual([name]);
      return found[0] as Span;
    };
    // One trace: no span that names this order or its workflow lives in another.
    const elsewhere = otlp.spans.filter((span) => span.traceId !== traceId && JSON.stringify(span.attributes).includes(orderId));
    expect(elsewhere).toEqual([]);

    // Every parent is in the trace; the push at the ingress is its one root.
    const ids = new Set(trace.map((span) => span.spanId));
    expect(trace.filter((span) => span.parentSpanId !== '' && !ids.has(span.parentSpanId))).toEqual([]);
    const push = named('order.push');
    expect(trace.filter((span) => span.parentSpanId === '')).toEqual([push]);
    expect(push).toMatchObject({ service: 'order-tracker-ingress', attributes: { 'order.provider': 'ozzobit', 'order.id': orderId, 'order.status': 'COMPLETED', 'order.push.channel': 'webhook', 'order.push.result': 'signalled' } });

    // The chain from the callback's request up to the push, across both processes and the workflow.
    const parentOf = (span: Span): Span | undefined => trace.find((candidate) => candidate.spanId === span.parentSpanId);
    const chain: string[] = [];
    for (let span: Span | undefined = named('callback POST'); span !== undefined; span = parentOf(span)) chain.push(`${span.service} ${span.name}`);
    expect(chain).toEqual([
      'order-tracker-worker callback POST',
      'order-tracker-worker RunActivity:deliverCallback',
      'order-tracker-worker StartActivity:deliverCallback',
      'order-tracker-worker RunWorkflow:trackOrder',
      'order-tracker-ingress SignalWithStartWorkflow:trackOrder',
      'order-tracker-ingress order.push',
    ]);
    // The workflow heard the push in the same trace.
    expect(parentOf(named('HandleSignal:statusPushed'))).toBe(named('SignalWithStartWorkflow:trackOrder'));
    const run = named('RunWorkflow:trackOrder');
    for (const activity of ['pollUntilChanged', 'recordOutcome', 'deliverCallback', 'runHook']) {
      const started = named(`StartActivity:${activity}`);
      expect(parentOf(started)).toBe(run);
      expect(parentOf(named(`RunActivity:${activity}`))).toBe(started);
      expect(named(`RunActivity:${activity}`).attributes).toMatchObject({ 'order.provider': 'ozzobit', 'order.id': orderId });
    }
    expect(named('RunActivity:pollUntilChanged').attributes).toMatchObject({ 'order.status': 'COMPLETED' });
    expect(named('RunActivity:recordOutcome').attributes).toMatchObject({ 'order.outcome': 'succeeded', temporalWorkflowId: orderWorkflowId('ozzobit', orderId) });
    expect(named('RunActivity:runHook').attributes).toMatchObject({ 'order.outcome': 'succeeded' });

    // The worker's log lines of an activity name its span.
    const recordedLine = worker?.logs().find((entry) => entry.message === 'outcome recorded' && entry.orderKey === `ozzobit:${orderId}`);
    expect(recordedLine).toMatchObject({ trace_id: traceId, span_id: named('RunActivity:recordOutcome').spanId });

    // The merchant's endpoint received the callback request's own span as its parent.
    const delivered = receiver.received.filter((delivery) => delivery.idempotencyKey === `ozzobit:${orderId}:succeeded`);
    expect(delivered.map((delivery) => delivery.traceparent)).toEqual([`00-${traceId}-${named('callback POST').spanId}-01`]);

    // The audit trail has the push whole, then the confirming poll, whose answer brought the details
    // the webhook lacked (the wallet, the amounts).
    const ledger = await openLedger(`sqlite:${ledgerFile}`);
    try {
      const kept = await ledger.answers('ozzobit', orderId);
      expect(kept.map((entry) => [entry.source, entry.status, entry.answer])).toEqual([
        ['push', 'COMPLETED', JSON.parse(body)],
        ['poll', 'COMPLETED', expect.objectContaining({ id: orderId, status: 'COMPLETED', walletAddress: expect.any(String), fiatAmount: 100 })],
      ]);
    } finally {
      await ledger.close();
    }

    // What the traced worker wrote replays with the interceptors and without them.
    const recorded = historyFromJSON(JSON.parse(historyToJSON(history)));
    const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    const workflowsPath = require.resolve('../../workflows');
    for (const workflowInterceptorModules of [[], [TRACING_WORKFLOW_MODULE]]) {
      const workflowBundle = await bundleWorkflowCode({ workflowsPath, workflowInterceptorModules, logger: quiet });
      await expect(Worker.runReplayHistory({ workflowBundle }, recorded, `traced-${workflowInterceptorModules.length}`)).resolves.toBeUndefined();
    }
  },
  TEST_TIMEOUT_MS,
);
