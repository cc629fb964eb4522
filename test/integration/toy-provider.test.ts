/**
 * Adding a provider is one adapter and one descriptor (README, "Adding a provider"): a toy fifth
 * provider, registered beside the four, is configured from its own variables, polled on its own
 * queue by the real workers built from configuration, tracked through the library to its verdict and
 * recorded in the ledger, against a tiny simulator over real HTTP on the dev server.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { registerProvider } from '../../providers/registry';
import { OrderTracker } from '../../client/order-tracker';
import { loadConfig } from '../../common/config';
import { parseProvider } from '../../common/order-input';
import { activitiesFromConfig } from '../../workers/activity-dependencies';
import { createWorkers, runWorkers } from '../../workers/worker';
import type { TrackOrderResult } from '../../domain/types';
import { createDevEnvironment } from '../helpers/environments';
import { TOY, type ToySimulator, startToySimulator, toyProvider } from '../helpers/toy/toy-client';
import { temporaryLedger, uniqueId, workflowBundle } from '../helpers/worker-stack';

const TOKEN = 'toy-token';
const TEST_TIMEOUT_MS = 120_000;

let environment: TestWorkflowEnvironment;
let simulator: ToySimulator;
const { ledger } = temporaryLedger();

beforeAll(async () => {
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
