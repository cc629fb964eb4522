/**
 * Orders, not runs: `list`, `order-tracker list` and `GET /orders` show one row per order, by its
 * latest run, across orders tracked again after a non-final outcome, with filters and paging. A
 * server of its own, so every order it lists is one of this file's.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import type { ListedOrder } from '../../client/list-orders';
import { OrderTracker } from '../../client/order-tracker';
import { orderWorkflowId } from '../../domain/ids';
import type { Ledger } from '../../storage/ledger/ledger';
import { type MagmaSandbox, startMagmaSandbox } from '../../sandbox/magma';
import { buildIngress } from '../../workers/ingress';
import { cleanEnvironment, runCli } from '../../harness/cli-process';
import { createDevEnvironment } from '../helpers/environments';
import { eventually } from '../helpers/eventually';
import { type RunningWorkers, startWorkers } from '../helpers/running-workers';
import { magmaProviders, temporaryLedger, uniqueId } from '../helpers/worker-stack';

const API_KEY = 'list-orders-key';
const TASK_QUEUE = 'list-orders-test';

let environment: TestWorkflowEnvironment;
let sandbox: MagmaSandbox;
let ledger: Ledger;
let workers: RunningWorkers;
let tracker: OrderTracker;
let app: FastifyInstance;
let base: string;

/** Cancelled twice, then tracked a third time: three runs, one order (running). */
const retracked = uniqueId('list-retracked');
/** Cancelled, then tracked again and cancelled again: two runs, both tracking_cancelled. */
const cancelledTwice = uniqueId('list-cancelled-twice');
/** Rejected by the seller: one run, failed. */
const rejected = uniqueId('list-rejected');
const ALL = [retracked, cancelledTwice, rejected];

beforeAll(async () => {
  environment = await createDevEnvironment();
  sandbox = await startMagmaSandbox({ apiKey: API_KEY });
  ledger = (await temporaryLedger()).ledger;
  workers = await startWorkers({ connection: environment.nativeConnection, taskQueue: TASK_QUEUE, providers: magmaProviders(sandbox.url, API_KEY), ledger });
  tracker = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE, ledger });
  app = buildIngress({ tracker });
  base = await app.listen({ port: 0, host: '127.0.0.1' });

  for (const orderId of [retracked, cancelledTwice]) sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT' }] });
  sandbox.addOrder({ id: rejected, steps: [{ status: 'SELLER_REJECTED' }] });
  for (const orderId of [retracked, cancelledTwice, retracked, cancelledTwice]) await trackAndCancel(orderId);
  await tracker.track('magma', retracked);
  expect(await tracker.track('magma', rejected)).toMatchObject({ kind: 'tracking' });
  expect((await tracker.result('magma', rejected)).outcome).toBe('failed');
  await eventually('visibility has every run', async () => (await runsInVisibility()) === 6 && (await tracker.list({ outcome: 'failed' })).length === 1);
}, 120_000);

afterAll(async () => {
  await app?.close();
  await workers?.stop();
  await sandbox?.close();
  await ledger?.close();
  await environment?.teardown();
});

async function trackAndCancel(orderId: string): Promise<void> {
  await tracker.track('magma', orderId);
  await tracker.cancel('magma', orderId);
  expect((await tracker.result('magma', orderId)).outcome).toBe('tracking_cancelled');
}

async function runsInVisibility(): Promise<number> {
  let runs = 0;
  for await (const _execution of environment.client.workflow.list({ query: `WorkflowType = 'trackOrder'` })) runs += 1;
  return runs;
}

function rowsOf(orders: ListedOrder[]): Record<string, Pick<ListedOrder, 'executionStatus' | 'outcome'>> {
  return Object.fromEntries(orders.map((order) => [order.orderId, { executionStatus: order.executionStatus, outcome: order.outcome }]));
}

test('one row per order, by its latest run', async () => {
  const orders = await tracker.list();
  expect(orders.map((order) => order.orderId).sort()).toEqual([...ALL].sort());
  expect(rowsOf(orders)).toEqual({
    [retracked]: { executionStatus: 'RUNNING', outcome: null },
    [cancelledTwice]: { executionStatus: 'COMPLETED', outcome: 'tracking_cancelled' },
    [rejected]: { executionStatus: 'COMPLETED', outcome: 'failed' },
  });
  const latest = await environment.client.workflow.getHandle(orderWorkflowId('magma', retracked)).describe();
  expect(orders.find((order) => order.orderId === retracked)).toMatchObject({ workflowId: orderWorkflowId('magma', retracked), provider: 'magma', runId: latest.runId, closeTime: null });
});

test('a filter matches an order by its latest run, not by runs it left behind', async () => {
  // The re-tracked order's first two runs ended tracking_cancelled; it is running now.
  expect((await tracker.list({ outcome: 'tracking_cancelled' })).map((order) => order.orderId)).toEqual([cancelledTwice]);
  expect((await tracker.list({ outcome: 'failed', provider: 'magma' })).map((order) => order.orderId)).toEqual([rejected]);
  expect((await tracker.list({ status: 'SELLER_REJECTED' })).map((order) => order.orderId)).toEqual([rejected]);
});

test('pages of one order each: every order once, then no next page', async () => {
  const seen: string[] = [];
  let pageToken: string | undefined;
  for (let pages = 0; pages < 20; pages += 1) {
    const page = await tracker.listPage({ limit: 1, pageToken });
    seen.push(...page.orders.map((order) => order.orderId));
    if (page.nextPageToken === null) break;
    pageToken = page.nextPageToken;
  }
  expect(seen.sort()).toEqual([...ALL].sort());
});

test('GET /orders: the same rows, filters and pages; bad input is a 400 naming it', async () => {
  const get = async (query: string) => {
    const response = await fetch(`${base}/orders${query}`);
    return { status: response.status, json: (await response.json()) as { orders?: ListedOrder[]; nextPageToken?: string | null; error?: string } };
  };
  const all = await get('');
  expect(all.status).toBe(200);
  expect(rowsOf(all.json.orders ?? [])).toEqual(rowsOf(await tracker.list()));
  expect(all.json.nextPageToken).toBeNull();

  const cancelled = await get('?provider=magma&outcome=tracking_cancelled');
  expect((cancelled.json.orders ?? []).map((order) => order.orderId)).toEqual([cancelledTwice]);

  const paged: string[] = [];
  let query = '?limit=2';
  for (let pages = 0; pages < 10; pages += 1) {
    const page = await get(query);
    expect(page.status).toBe(200);
    expect((page.json.orders ?? []).length).toBeLessThanOrEqual(2);
    paged.push(...(page.json.orders ?? []).map((order) => order.orderId));
    if (page.json.nextPageToken === null) break;
    query = `?limit=2&pageToken=${page.json.nextPageToken}`;
  }
  expect(paged.sort()).toEqual([...ALL].sort());

  expect(await get('?outcome=maybe')).toMatchObject({ status: 400, json: { error: expect.stringContaining('outcome') } });
  expect(await get('?limit=0')).toMatchObject({ status: 400, json: { error: expect.stringContaining('limit') } });
  expect(await get('?provider=nope')).toMatchObject({ status: 400, json: { error: expect.stringContaining('unknown provider "nope"') } });
  expect(await get('?pageToken=not!a!token')).toMatchObject({ status: 400, json: { error: expect.stringContaining('invalid page token') } });
  expect(await get('?colour=red')).toMatchObject({ status: 400, json: { error: expect.stringContaining('colour') } });
});

test('order-tracker list: one line per order, and how to get the next page', async () => {
  const cliEnvironment = cleanEnvironment({ TEMPORAL_ADDRESS: environment.address, TEMPORAL_TASK_QUEUE: TASK_QUEUE });
  const listed = await runCli(['list'], cliEnvironment);
  expect(listed).toMatchObject({ code: 0, stderr: '' });
  const lines = listed.stdout.trim().split('\n');
  expect(lines).toHaveLength(3);
  expect(lines.find((line) => line.startsWith(orderWorkflowId('magma', retracked)))).toContain('running');
  expect(lines.find((line) => line.startsWith(orderWorkflowId('magma', cancelledTwice)))).toContain('tracking_cancelled');

  const paged = await runCli(['list', '--limit', '2', '--json'], cliEnvironment);
  const page = JSON.parse(paged.stdout) as { orders: ListedOrder[]; nextPageToken: string };
  expect(page.nextPageToken).toEqual(expect.any(String));
  const text = await runCli(['list', '--limit', '2'], cliEnvironment);
  expect(text.stdout).toContain(`more: add --page-token ${page.nextPageToken}`);
  const rest = await runCli(['list', '--limit', '4', '--json', '--page-token', page.nextPageToken], cliEnvironment);
  const orderIds = [...page.orders, ...(JSON.parse(rest.stdout) as { orders: ListedOrder[] }).orders].map((order) => order.orderId);
  expect(orderIds.sort()).toEqual([...ALL].sort());
});
