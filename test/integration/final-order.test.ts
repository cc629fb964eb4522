/**
 * Final means final without a ledger in hand: a client that cannot open the ledger (backend code
 * with the light install, the CLI) tracks a final order and gets the recorded result with nothing
 * started and no provider asked; `status` shows it recorded. A run started anyway (the order's runs
 * past the namespace's retention) answers its first poll from the worker's ledger: no provider
 * request, the recorded outcome, fulfilment shown as recorded, nothing fulfilled again.
 */
import { type MagmaSandbox } from '../../sandbox/magma';
import { OrderTracker } from '../../client/order-tracker';
import type { Ledger } from '../../storage/ledger/ledger';
import { orderWorkflowId } from '../../domain/ids';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { runCli as runCommand } from '../../harness/cli-process';
import { type MagmaCliStack, startMagmaCliStack } from '../helpers/magma-cli-stack';
import { uniqueId } from '../helpers/worker-stack';

const API_KEY = 'final-order-key';
const TASK_QUEUE = 'final-order-test';
const TEST_TIMEOUT_MS = 90_000;

let stack: MagmaCliStack | undefined;
let environment: TestWorkflowEnvironment;
let sandbox: MagmaSandbox;
let ledger: Ledger;
/** Backend code's tracker: a client and nothing else. */
let tracker: OrderTracker;
/** The CLI's environment without DATABASE_URL: it could not reach the workers' ledger if it tried. */
let cliEnvironment: NodeJS.ProcessEnv;

beforeAll(async () => {
  stack = await startMagmaCliStack(API_KEY, TASK_QUEUE);
  ({ environment, sandbox, ledger } = stack);
  tracker = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE });
  const { DATABASE_URL: _ledger, MAGMA_URL: _url, MAGMA_API_KEY: _key, ...rest } = stack.cliEnvironment;
  cliEnvironment = { ...rest, DATABASE_URL: 'sqlite:/nonexistent-folder/ledger.sqlite' };
});

afterAll(async () => {
  await stack?.stop();
});

function handleOf(orderId: string) {
  return environment.client.workflow.getHandle(orderWorkflowId('magma', orderId));
}

test.concurrent(
  'track of a final order without a ledger starts nothing, asks no provider and returns the recorded result; status shows it recorded',
  async () => {
    const orderId = uniqueId('final-no-ledger');
    sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_SELLER_APPROVAL', requests: 1 }, { status: 'VALID_CHANNEL_OPENING' }] });
    const first = await tracker.track('magma', orderId, { reference: 'cart-7' });
    expect(first.kind).toBe('tracking');
    expect(await tracker.result('magma', orderId)).toMatchObject({ outcome: 'succeeded', recorded: true, reference: 'cart-7' });
    const { runId } = await handleOf(orderId).describe();
    const requests = sandbox.requests(orderId).length;

    const again = await tracker.track('magma', orderId);
    expect(again).toMatchObject({
      kind: 'recorded',
      workflowId: orderWorkflowId('magma', orderId),
      outcome: 'succeeded',
      status: 'VALID_CHANNEL_OPENING',
      reference: 'cart-7',
      result: { outcome: 'succeeded', polls: 2 },
    });
    expect(again).not.toHaveProperty('row');
    const pushed = await tracker.push('magma', orderId, { status: 'WAITING_FOR_SELLER_APPROVAL', phase: 'in_flight', recognised: true, rank: 1, nextWaitMs: 5_000, details: {} });
    expect(pushed).toMatchObject({ kind: 'ignored', reason: 'order already ended succeeded' });

    // The CLI, whose DATABASE_URL names no ledger it could open: the same answer, nothing started.
    const tracked = await runCommand(['track', 'magma', orderId], cliEnvironment);
    expect(tracked).toMatchObject({ code: 0, stderr: '' });
    expect(tracked.stdout).toContain(`${orderWorkflowId('magma', orderId)} already ended: succeeded (VALID_CHANNEL_OPENING), recorded `);
    const status = await runCommand(['status', 'magma', orderId], cliEnvironment);
    expect(status).toMatchObject({ code: 0, stderr: '' });
    expect(status.stdout).toContain('outcome    succeeded');
    expect(status.stdout).toContain('fulfilment recorded=true callback=none');

    expect((await handleOf(orderId).describe()).runId).toBe(runId);
    expect(sandbox.requests(orderId)).toHaveLength(requests);
  },
  TEST_TIMEOUT_MS,
);

test.concurrent(
  'a run started for an order the ledger holds as final answers from the ledger: no provider request, the recorded outcome, shown as recorded',
  async () => {
    const orderId = uniqueId('final-past-retention');
    // The order ended succeeded long ago; Temporal keeps none of its runs (retention), the ledger its row.
    await ledger.record({
      provider: 'magma',
      orderId,
      reference: 'cart-9',
      outcome: 'succeeded',
      observation: { status: 'VALID_CHANNEL_OPENING', phase: 'succeeded', recognised: true, rank: 90, nextWaitMs: 0, details: { channel_id: '850x1x0' } },
      transitions: [{ status: 'VALID_CHANNEL_OPENING', at: '2026-01-02T03:04:05.000Z', source: 'poll' }],
      workflowId: orderWorkflowId('magma', orderId),
      occurredAt: '2026-01-02T03:04:05.000Z',
    });
    const rowBefore = await ledger.find('magma', orderId);
    // The simulator would answer otherwise: an answer from it would show.
    sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT' }] });

    expect(await tracker.track('magma', orderId)).toMatchObject({ kind: 'tracking' });
    expect(await tracker.result('magma', orderId)).toMatchObject({ outcome: 'succeeded', status: 'VALID_CHANNEL_OPENING', polls: 0, recorded: false });
    expect(sandbox.requests(orderId)).toEqual([]);
    const progress = await tracker.progress('magma', orderId);
    expect(progress).toMatchObject({ outcome: 'succeeded', status: 'VALID_CHANNEL_OPENING', polls: 0, details: { channel_id: '850x1x0' }, fulfilment: { recorded: true, callback: 'none' } });
    // Nothing fulfilled again: the row is the one recorded before.
    expect(await ledger.find('magma', orderId)).toEqual(rowBefore);

    // From now on a track finds the run that says so, as for any final order.
    expect(await tracker.track('magma', orderId)).toMatchObject({ kind: 'recorded', outcome: 'succeeded' });
  },
  TEST_TIMEOUT_MS,
);
