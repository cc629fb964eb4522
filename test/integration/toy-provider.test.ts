/**
 * Adding a provider is one folder and one registry line (README, "Adding a provider"): a sixth,
 * pushing toy (test/helpers/toy/), registered beside the built-in ones with `registerProvider`, is
 * configured from its own variables, polled on its own queue by the real workers built from
 * configuration, swept through its list pages by its poll group, and pushed to by the ingress's
 * socket bridge and webhook route built from its descriptor alone; each order is tracked through the
 * library to its verdict and recorded in the ledger, against a tiny simulator over real HTTP and
 * WebSocket on the dev server.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { registerProvider } from '../../providers/registry';
import { OrderTracker } from '../../client/order-tracker';
import { loadConfig } from '../../common/config';
import { parseProvider } from '../../common/order-input';
import { orderWorkflowId, pollGroupWorkflowId } from '../../domain/ids';
import { activitiesFromConfig } from '../../workers/activity-dependencies';
import { webhookPath } from '../../workers/push/webhook-routes';
import { startIngressProcess } from '../../workers/ingress-process';
import { startWorkerProcess } from '../../workers/worker-process';
import { createWorkers, runWorkers } from '../../workers/worker';
import type { GroupReport, TrackOrderResult } from '../../domain/types';
import { createDevEnvironment } from '../helpers/environments';
import { eventually } from '../helpers/eventually';
import { signalPayloads } from '../helpers/history';
import { TOY, toyProvider } from '../helpers/toy/toy-provider';
import { type ToySimulator, startToySimulator } from '../helpers/toy/toy-simulator';
import { temporaryLedger, uniqueId, workflowBundle } from '../helpers/worker-stack';
import type { Ledger } from '../../storage/ledger/ledger';

const TOKEN = 'toy-token';
const WEBHOOK_SECRET = 'toy-webhook-secret';
const TEST_TIMEOUT_MS = 120_000;

let environment: TestWorkflowEnvironment;
let simulator: ToySimulator;
let ledger: Ledger;
let databaseFile: string;

beforeAll(async () => {
  ({ ledger, file: databaseFile } = await temporaryLedger());
  registerProvider(toyProvider);
  [environment, simulator] = await Promise.all([createDevEnvironment(), startToySimulator(TOKEN)]);
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  await simulator?.close();
  await ledger.close();
  await environment?.teardown();
});

test('the registered provider is configured from its own variables, with a request budget of its own', () => {
  expect(parseProvider('toy')).toBe(TOY);
  const config = loadConfig({ TOY_URL: 'http://127.0.0.1:1', TOY_TOKEN: TOKEN, TOY_REQUESTS_PER_SECOND: '2' });
  expect(config.configuredProviders).toEqual([TOY]);
  expect(config.requestsPerSecond[TOY]).toBe(2);
  expect(() => loadConfig({ TOY_URL: 'http://127.0.0.1:1' })).toThrow('TOY_URL is set but TOY_TOKEN is not');
  // Its push channels come with its descriptor: the socket needs the token, and says so at load.
  expect(() => loadConfig({ TOY_WS_URL: 'ws://127.0.0.1:1/updates' })).toThrow('TOY_WS_URL is set but TOY_TOKEN is not');
  expect(loadConfig({ TOY_URL: 'http://127.0.0.1:1', TOY_TOKEN: TOKEN, TOY_WEBHOOK_SECRET: 'secret' }).pushFallbackPollMs).toEqual({ [TOY]: 120_000 });
});

test(
  'a toy order is polled at its cadence until paid, recorded once, and a refused one fails',
  async () => {
    const taskQueue = uniqueId('toy');
    const config = loadConfig({ TOY_URL: simulator.url, TOY_TOKEN: TOKEN, TEMPORAL_TASK_QUEUE: taskQueue });
    const paid = uniqueId('toy-paid');
    const refused = uniqueId('toy-refused');
    simulator.addOrder(paid, ['waiting', 'waiting', 'paid']);
    simulator.addOrder(refused, ['refused']);

    const workers = await createWorkers({
      connection: environment.nativeConnection,
      namespace: 'default',
      taskQueue,
      activities: activitiesFromConfig(config, ledger),
      providers: config.configuredProviders,
      requestsPerSecond: config.requestsPerSecond,
      workflowBundle: await workflowBundle(),
    });
    const running = runWorkers(workers);
    try {
      const tracker = new OrderTracker({ client: environment.client, taskQueue, ledger });
      const results = await Promise.all(
        [paid, refused].map(async (orderId) => {
          const tracked = await tracker.track('toy', orderId, { reference: `ref-${orderId}` });
          return environment.client.workflow.getHandle(tracked.workflowId).result() as Promise<TrackOrderResult>;
        }),
      );
      expect(results.map(({ outcome, status, polls }) => ({ outcome, status, polls }))).toEqual([
        { outcome: 'succeeded', status: 'paid', polls: 3 },
        { outcome: 'failed', status: 'refused', polls: 1 },
      ]);
      expect(await ledger.find(TOY, paid)).toMatchObject({ outcome: 'succeeded', final: true, reference: `ref-${paid}`, status: 'paid' });
      expect(await ledger.find(TOY, refused)).toMatchObject({ outcome: 'failed', final: true, status: 'refused' });

      const paidRequests = simulator.requests.filter((request) => request.orderId === paid);
      expect(paidRequests.map((request) => request.authorization)).toEqual([`Token ${TOKEN}`, `Token ${TOKEN}`, `Token ${TOKEN}`]);
      // The status table's 5 s between polls of a waiting order (less a little for the clocks' grain).
      const gaps = paidRequests.slice(1).map((request, index) => request.at - (paidRequests[index]?.at ?? 0));
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(4_900);
    } finally {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    }
  },
  TEST_TIMEOUT_MS,
);

test(
  'with its poll group and the ingress, a toy order ends through polls, one through a list sweep, one through a webhook and one through a socket push',
  async () => {
    const taskQueue = uniqueId('toy-pushes');
    const config = loadConfig({
      TOY_URL: simulator.url,
      TOY_TOKEN: TOKEN,
      TOY_WS_URL: simulator.wsUrl,
      TOY_WEBHOOK_SECRET: WEBHOOK_SECRET,
      TEMPORAL_TASK_QUEUE: taskQueue,
      DATABASE_URL: `sqlite:${databaseFile}`,
    });
    const [polled, swept, webhooked, socketed] = ['polled', 'swept', 'webhooked', 'socketed'].map((name) => uniqueId(`toy-${name}`)) as [string, string, string, string];
    // Only polls by id see these: the list pages do not show them.
    simulator.addOrder(polled, ['waiting', 'waiting', 'paid'], { listed: false });
    simulator.addOrder(webhooked, ['paying'], { listed: false });
    simulator.addOrder(socketed, ['paying'], { listed: false });
    simulator.addOrder(swept, ['waiting']);

    // The worker process and the ingress process, as `order-tracker worker` and `order-tracker
    // ingress` build them from configuration (on the test's dev server); the ingress's toy bridge and
    // route come from the descriptor.
    const worker = await startWorkerProcess(config, { connection: environment.nativeConnection, client: environment.client, workflowBundle: await workflowBundle() });
    const tracker = new OrderTracker({ client: environment.client, taskQueue, ledger });
    const ingress = await startIngressProcess(config, { port: 0, client: environment.client });
    try {
      expect(ingress.bridges).toEqual([TOY]);
      await eventually('the bridge is connected', async () => simulator.connectedSockets() === 1);

      for (const orderId of [polled, swept, webhooked, socketed]) await tracker.track('toy', orderId);
      // Each has had its first poll: what follows comes from the group, a page or a push.
      for (const orderId of [swept, webhooked, socketed]) {
        await eventually(`${orderId} polled once`, async () => (await tracker.progress('toy', orderId)).polls === 1);
      }
      await simulator.change(swept, 'paid');
      const webhook = await simulator.change(webhooked, 'paid', { via: 'webhook', url: `${ingress.address}${webhookPath(TOY)}`, secret: WEBHOOK_SECRET });
      expect(webhook).toMatchObject({ status: 200, body: { orderId: webhooked, status: 'paid', result: 'signalled' } });
      await simulator.change(socketed, 'paid', { via: 'socket' });

      const results = await Promise.all([polled, swept, webhooked, socketed].map((orderId) => tracker.result('toy', orderId)));
      expect(results.map(({ outcome, status }) => `${outcome}:${status}`)).toEqual(Array(4).fill('succeeded:paid'));
      for (const orderId of [polled, swept, webhooked, socketed]) expect(await ledger.find(TOY, orderId)).toMatchObject({ outcome: 'succeeded', final: true });

      const reports = async (orderId: string) =>
        signalPayloads<GroupReport>(await environment.client.workflow.getHandle(orderWorkflowId(TOY, orderId)).fetchHistory(), 'statusObserved').map(
          (report) => `${report.observation?.status}:${report.source}`,
        );
      // Polls by id inside the group, at the status table's 5 s.
      expect(await reports(polled)).toEqual(['paid:group']);
      expect(simulator.requests.filter((request) => request.orderId === polled)).toHaveLength(3);
      // A list page showed the change: no request for the order after its first.
      expect(await reports(swept)).toEqual(['paid:sweep']);
      expect(simulator.requests.filter((request) => request.orderId === swept)).toHaveLength(1);
      expect(simulator.listPages()).toBeGreaterThan(0);
      // Pushed: \`paying\` waits a minute between polls, so \`paid\` came by push (and a poll confirmed it).
      for (const [orderId, result] of [[webhooked, results[2]], [socketed, results[3]]] as const) {
        const { transitions } = await tracker.progress('toy', orderId);
        expect(transitions.map(({ status, source }) => `${status}:${source}`)).toEqual(['paying:poll', 'paid:push']);
        expect(result?.pushes).toBe(1);
      }
      expect(ingress.pushChannels()[TOY]).toMatchObject({ websocket: { state: 'up' }, webhook: { state: 'up' } });
    } finally {
      await ingress.stop();
      await worker.stop();
      await environment.client.workflow.getHandle(pollGroupWorkflowId(TOY, 0, taskQueue)).terminate('test over').catch(() => undefined);
    }
  },
  TEST_TIMEOUT_MS,
);
