/**
 * Every provider against every shape variant of its simulator (sandbox/shape-variant.ts), end to
 * end over real HTTP, WebSocket and socket.io: the dev server, the real worker stack, the real
 * ingress (OZZOBiT webhooks in the variant's encoding, the OZZOBiT socket.io and Houdini WebSocket
 * bridges) and the four simulators serving the variant. The simulators are not the adapters' mirror
 * here: the alternate shapes are the other readings the seeds allow, and every order must still
 * reach the right outcome.
 *
 * The variants run one after another (a stack each, started in the variant's beforeAll, so a busy
 * dev server never delays a webhook past the simulator's delivery timeout); each test reads its
 * variant's results. Orders are short (a few seconds per status) and few per provider.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Ledger } from '../../storage/ledger/ledger';
import { createProviders } from '../../providers/registry';
import { OrderTracker } from '../../client/order-tracker';
import { loadConfig } from '../../common/config';
import { findFreePort } from '../../common/temporal-servers';
import { OZZOBIT_OTHER_EVENT } from '../../sandbox/ozzobit-push';
import { startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack';
import type { OzzobitWebhookEncoding, ShapeVariant } from '../../sandbox/shape-variant';
import { type RunningIngress, startIngress } from '../../workers/run-ingress';
import type { Progress, ProviderName, TrackOrderResult } from '../../domain/types';
import { createDevEnvironment } from '../helpers/environments';
import { eventually } from '../helpers/eventually';
import { type RunningWorkers, startWorkers } from '../helpers/running-workers';
import { ScenarioOutcomes, type Settled, settle } from '../helpers/scenarios';
import { temporaryLedger, uniqueId } from '../helpers/worker-stack';

interface Variant {
  name: string;
  shape: ShapeVariant;
  encoding: OzzobitWebhookEncoding;
}

const VARIANTS: Variant[] = [
  { name: 'seed shapes, hex webhook signatures', shape: 'seed', encoding: 'hex' },
  { name: 'alternate shapes, sha256= webhook signatures', shape: 'alternate', encoding: 'sha256-hex' },
  { name: 'alternate shapes, base64 webhook signatures', shape: 'alternate', encoding: 'base64' },
  { name: 'alternate shapes, JWT webhooks', shape: 'alternate', encoding: 'jwt' },
];

const DAY_MS = 24 * 3_600_000;
const TEST_TIMEOUT_MS = 120_000;

interface Tracked {
  provider: ProviderName;
  orderId: string;
  result: TrackOrderResult;
  progress: Progress;
}

interface RunningVariant {
  stack: SandboxStack;
  ingress: RunningIngress;
  workers: RunningWorkers;
  ledger: Ledger;
  tracker: OrderTracker;
  results: Promise<Settled<Record<string, Tracked>>>;
  bridgeLog: string[];
}

let environment: TestWorkflowEnvironment;
const running = new Map<string, RunningVariant>();
const scenarioOutcomes = new ScenarioOutcomes();

async function startVariant(variant: Variant): Promise<RunningVariant> {
  const ingressPort = await findFreePort();
  const stack = await startSandboxStack({
    shape: variant.shape,
    ozzobitWebhookUrl: `http://127.0.0.1:${ingressPort}/webhooks/ozzobit`,
    ozzobitWebhookEncoding: variant.encoding,
  });
  const taskQueue = uniqueId('shape-variants');
  const config = loadConfig({
    ...stack.environment,
    OZZOBIT_WEBHOOK_SCHEME: variant.encoding === 'jwt' ? 'jwt' : 'hmac',
    TEMPORAL_TASK_QUEUE: taskQueue,
    INGRESS_PORT: String(ingressPort),
  });
  const { ledger } = await temporaryLedger();
  const tracker = new OrderTracker({ client: environment.client, taskQueue, ledger });
  // Every provider at its status cadence: the pushes are what the variant exercises, polls confirm.
  const workers = await startWorkers({
    connection: environment.nativeConnection,
    taskQueue,
    providers: createProviders(config.providers),
    ledger,
  });
  const bridgeLog: string[] = [];
  const record = (message: string) => void bridgeLog.push(message);
  const ingress = await startIngress(config, tracker, environment.client, {
    port: ingressPort,
    reporting: { logger: { info: record, warn: record, error: record } },
  });
  await eventually('the Houdini bridge subscribed', () => bridgeLog.some((line) => line.startsWith('subscribed')));
  const results = settle(playOrders(stack, tracker));
  return { stack, ingress, workers, ledger, tracker, results, bridgeLog };
}

/** A few orders per provider, each a few seconds per status; resolves with every order's result. */
async function playOrders(stack: SandboxStack, tracker: OrderTracker): Promise<Record<string, Tracked>> {
  const now = Date.now();
  const orders: Record<string, { provider: ProviderName; orderId: string; add: () => void }> = {};
  const plan = (name: string, provider: ProviderName, add: (orderId: string) => void) => {
    const orderId = uniqueId(name);
    orders[name] = { provider, orderId, add: () => add(orderId) };
  };
  plan('magma-opened', 'magma', (id) =>
    stack.magma.addOrder({ id, steps: [{ status: 'WAITING_FOR_SELLER_APPROVAL', durationMs: 4_000 }, { status: 'WAITING_FOR_CHANNEL_OPEN', durationMs: 4_000 }, { status: 'VALID_CHANNEL_OPENING' }] }),
  );
  plan('magma-unpaid', 'magma', (id) => stack.magma.addOrder({ id, steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT', durationMs: 4_000 }, { status: 'BUYER_FAILED_TO_PAY' }] }));
  plan('miraclecash-paid', 'miraclecash', (id) => stack.miraclecash.addOrder({ id, steps: [{ status: 'pending', durationMs: 4_000 }, { status: 'successful' }] }));
  // Created 24 h minus 4 s ago: its window ends 4 s from now (the alternate shape expires it 3 s later).
  plan('miraclecash-expired', 'miraclecash', (id) =>
    stack.miraclecash.addOrder({
      id,
      steps: [{ status: 'pending', durationMs: 4_000, fields: { createdAt: new Date(now - DAY_MS + 4_000).toISOString() } }, { status: 'expired' }],
    }),
  );
  plan('ozzobit-completed', 'ozzobit', (id) =>
    stack.ozzobit.addOrder({ id, steps: [{ status: 'PROCESSING', durationMs: 4_000 }, { status: 'PENDING_DELIVERY', durationMs: 3_000, fields: { transactionHash: '0xfeed' } }, { status: 'COMPLETED' }] }),
  );
  plan('ozzobit-failed', 'ozzobit', (id) => stack.ozzobit.addOrder({ id, steps: [{ status: 'PROCESSING', durationMs: 4_000 }, { status: 'FAILED' }] }));
  plan('houdini-finished', 'houdini', (id) =>
    stack.houdini.addOrder({ id, steps: [{ status: 'WAITING', durationMs: 3_000 }, { status: 'CONFIRMING', durationMs: 3_000 }, { status: 'FINISHED', fields: { outTxHash: '0xout' } }] }),
  );
  plan('houdini-deleted', 'houdini', (id) => stack.houdini.addOrder({ id, steps: [{ status: 'WAITING', durationMs: 3_000 }, { status: 'DELETED' }] }));

  const tracked = await Promise.all(
    Object.entries(orders).map(async ([name, { provider, orderId, add }]) => {
      add();
      await tracker.track(provider, orderId, { maxWaitMs: 90_000 });
      const result = await tracker.result(provider, orderId);
      return [name, { provider, orderId, result, progress: await tracker.progress(provider, orderId) }] as const;
    }),
  );
  return Object.fromEntries(tracked);
}

beforeAll(async () => {
  environment = await createDevEnvironment();
}, 120_000);

afterAll(async () => {
  await environment?.teardown();
});

async function stopVariant(name: string): Promise<void> {
  const variant = running.get(name);
  if (variant === undefined) return;
  running.delete(name);
  await variant.ingress.stop();
  await variant.workers.stop().catch(() => undefined);
  await variant.stack.close();
  await variant.ledger.close();
}

async function resultsOf(name: string): Promise<{ variant: RunningVariant; results: Record<string, Tracked> }> {
  const variant = running.get(name);
  if (variant === undefined) throw new Error(`variant ${name} did not start`);
  return { variant, results: await scenarioOutcomes.outcomeOf(variant.results) };
}

function outcomeOf(results: Record<string, Tracked>, name: string): TrackOrderResult {
  const tracked = results[name];
  if (tracked === undefined) throw new Error(`no order ${name}`);
  return tracked.result;
}

describe.each(VARIANTS.map((variant) => [variant.name, variant] as const))('%s', (name, variant) => {
  beforeAll(async () => {
    running.set(name, await startVariant(variant));
  }, 120_000);
  afterAll(() => stopVariant(name), 60_000);

  test('Magma: the phase timeout passes, the status follows; each order reaches its outcome', async () => {
    const { results } = await resultsOf(name);
    expect(outcomeOf(results, 'magma-opened')).toMatchObject({ outcome: 'succeeded', status: 'VALID_CHANNEL_OPENING' });
    expect(outcomeOf(results, 'magma-unpaid')).toMatchObject({ outcome: 'failed', status: 'BUYER_FAILED_TO_PAY' });
  }, TEST_TIMEOUT_MS);

  test('MiracleCash: paid and expired payments reach their outcomes', async () => {
    const { variant: running, results } = await resultsOf(name);
    expect(outcomeOf(results, 'miraclecash-paid')).toMatchObject({ outcome: 'succeeded', status: 'successful', details: { blockchainId: 'eth' } });
    expect(outcomeOf(results, 'miraclecash-expired')).toMatchObject({ outcome: 'failed', status: 'expired' });
    // The simulator really answered in the variant's shape: the echoed id upper-case in the alternate one.
    const paid = results['miraclecash-paid']!;
    expect(running.stack.miraclecash.requests(paid.orderId).length).toBeGreaterThan(0);
    expect(paid.result.details.createdAt).toEqual(variant.shape === 'alternate' ? expect.stringMatching(/:\d\dZ$/) : expect.stringMatching(/\.\d{3}Z$/));
  }, TEST_TIMEOUT_MS);

  test('OZZOBiT: webhooks in this encoding verified and pushed; each order reaches its outcome', async () => {
    const { variant: running, results } = await resultsOf(name);
    const completed = outcomeOf(results, 'ozzobit-completed');
    expect(completed).toMatchObject({ outcome: 'succeeded', status: 'COMPLETED', details: { transactionHash: '0xfeed' } });
    expect(completed.pushes).toBeGreaterThanOrEqual(1);
    expect(outcomeOf(results, 'ozzobit-failed')).toMatchObject({ outcome: 'failed', status: 'FAILED' });
    for (const order of ['ozzobit-completed', 'ozzobit-failed']) {
      const webhooks = running.stack.ozzobit.webhooks(results[order]!.orderId);
      expect(webhooks.length).toBeGreaterThanOrEqual(2);
      // Every delivery answered 2xx: verified in this encoding, and the non-order event acknowledged.
      expect(webhooks.map((entry) => entry.httpStatus)).toEqual(webhooks.map(() => 200));
      expect(webhooks.some((entry) => entry.eventName === OZZOBIT_OTHER_EVENT)).toBe(variant.shape === 'alternate');
    }
    expect(results['ozzobit-completed']!.progress.transitions.some((transition) => transition.source === 'push')).toBe(true);
  }, TEST_TIMEOUT_MS);

  test('Houdini: pushed over the WebSocket; FINISHED succeeds, DELETED ends timed_out asking for attention', async () => {
    const { results } = await resultsOf(name);
    const finished = outcomeOf(results, 'houdini-finished');
    expect(finished).toMatchObject({ outcome: 'succeeded', status: 'FINISHED', details: { outTxHash: '0xout' } });
    expect(finished.pushes).toBeGreaterThanOrEqual(1);
    expect(finished.details.etaMinutes).toBe(variant.shape === 'alternate' ? null : 10);
    expect(outcomeOf(results, 'houdini-deleted')).toMatchObject({
      outcome: 'timed_out',
      status: 'DELETED',
      attention: 'deleted by provider, outcome unknown',
    });
  }, TEST_TIMEOUT_MS);
});
