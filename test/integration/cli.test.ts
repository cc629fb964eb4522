import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Ledger } from '../../storage/ledger/ledger';
import { OrderTracker } from '../../client/order-tracker';
import { findFreePort } from '../../common/temporal-servers';
import { type MagmaSandbox } from '../../sandbox/magma';
import { orderWorkflowId } from '../../domain/ids';
import { progressQuery } from '../../workflows/messages';
import type { Progress } from '../../domain/types';
import { runCli as runCommand, type CliRun } from '../../harness/cli-process';
import { eventually } from '../helpers/eventually';
import { uniqueId } from '../helpers/worker-stack';
import { type MagmaCliStack, startMagmaCliStack } from '../helpers/magma-cli-stack';

const API_KEY = 'cli-test-key';
const TASK_QUEUE = 'cli-integration';
const TEST_TIMEOUT_MS = 90_000;

let environment: TestWorkflowEnvironment;
let sandbox: MagmaSandbox;
let ledger: Ledger;
let tracker: OrderTracker;
let cliEnvironment: NodeJS.ProcessEnv;

let stack: MagmaCliStack | undefined;

beforeAll(async () => {
  stack = await startMagmaCliStack(API_KEY, TASK_QUEUE);
  ({ environment, sandbox, ledger, tracker, cliEnvironment } = stack);
});

afterAll(async () => {
  await stack?.stop();
});

function cli(args: string[], overrides: Record<string, string> = {}): Promise<CliRun> {
  return runCommand(args, { ...cliEnvironment, ...overrides });
}

function handleOf(orderId: string) {
  return environment.client.workflow.getHandle(orderWorkflowId('magma', orderId));
}

async function waitForPolls(orderId: string, polls: number): Promise<void> {
  await eventually(`order ${orderId} polled ${polls} time(s)`, async () => (await handleOf(orderId).query(progressQuery)).polls >= polls);
}

/** An order that stays in a block-bound phase (polled every 45 s) until the test cancels it. */
function addSlowOrder(orderId: string): void {
  sandbox.addOrder({
    id: orderId,
    steps: [{ status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION', fields: { transaction_id: 'tx-cli', confirmations: { confirmations: 1 } } }],
  });
}

test('the dev environment gives the CLI a reachable address', () => {
  expect(environment.address).toMatch(/^127\.0\.0\.1:\d+$/);
});

test.concurrent(
  'track prints the workflow id, status --json shows the progress, a second track finds the same run, cancel stops it',
  async () => {
    const orderId = uniqueId('cli-track');
    const workflowId = orderWorkflowId('magma', orderId);
    addSlowOrder(orderId);

    const tracked = await cli(['track', 'magma', orderId, '--ref', 'merchant-cli']);
    expect(tracked).toMatchObject({ code: 0, stderr: '' });
    expect(tracked.stdout).toContain(`tracking ${workflowId}`);
    await waitForPolls(orderId, 1);

    const status = await cli(['status', 'magma', orderId, '--json']);
    expect(status).toMatchObject({ code: 0, stderr: '' });
    const progress = JSON.parse(status.stdout) as Progress;
    expect(progress).toMatchObject({
      provider: 'magma',
      orderId,
      reference: 'merchant-cli',
      status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION',
      phase: 'in_flight',
      outcome: null,
      polls: 1,
      attention: null,
      details: { transaction_id: 'tx-cli', confirmations: 1 },
      fulfilment: { recorded: false },
    });
    expect(progress.transitions.map((transition) => transition.status)).toEqual(['WAITING_FOR_ON_CHAIN_CONFIRMATION']);

    const readable = await cli(['status', 'magma', orderId]);
    expect(readable.code).toBe(0);
    expect(readable.stdout).toMatch(/status\s+WAITING_FOR_ON_CHAIN_CONFIRMATION \[in_flight\]/);
    expect(readable.stdout).toMatch(/outcome\s+in progress/);

    const again = await cli(['track', 'magma', orderId, '--json']);
    expect(again.code).toBe(0);
    const description = await handleOf(orderId).describe();
    expect(JSON.parse(again.stdout)).toEqual({
      kind: 'tracking',
      workflowId,
      runId: description.runId,
      joined: { startedBy: 'track', handedOver: [], kept: {} },
    });

    const cancelled = await cli(['cancel', 'magma', orderId, '--reason', 'cli test done']);
    expect(cancelled).toMatchObject({ code: 0, stderr: '' });
    expect(cancelled.stdout).toContain(`cancel requested for magma order ${orderId}`);
    expect(await tracker.result('magma', orderId)).toMatchObject({ outcome: 'tracking_cancelled' });
    // Nothing left to cancel.
    const cancelledAgain = await cli(['cancel', 'magma', orderId]);
    expect(cancelledAgain.code).toBe(3);
    expect(cancelledAgain.stderr).toContain(workflowId);
  },
  TEST_TIMEOUT_MS,
);

test.concurrent(
  'a waiting track ends with 12 when the order is cancelled, and status then exits 12',
  async () => {
    const orderId = uniqueId('cli-cancel');
    addSlowOrder(orderId);

    // This command starts the order and waits for its outcome.
    const waiting = cli(['track', 'magma', orderId, '--wait']);
    await waitForPolls(orderId, 1);
    const cancelled = await cli(['cancel', 'magma', orderId]);
    expect(cancelled.code).toBe(0);

    const waited = await waiting;
    expect(waited).toMatchObject({ code: 12, stderr: '' });
    expect(waited.stdout).toContain(`${orderWorkflowId('magma', orderId)} ended tracking_cancelled`);

    const status = await cli(['status', 'magma', orderId, '--json']);
    expect(status.code).toBe(12);
    expect(JSON.parse(status.stdout)).toMatchObject({ outcome: 'tracking_cancelled', status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION' });
    expect(await ledger.find('magma', orderId)).toMatchObject({ outcome: 'tracking_cancelled', final: false });
  },
  TEST_TIMEOUT_MS,
);

test.concurrent(
  'track --wait exits 0 for a succeeding order and 10 for a failing one; tracking them again reads the recorded outcome',
  async () => {
    const succeedingId = uniqueId('cli-succeeds');
    const failingId = uniqueId('cli-fails');
    sandbox.addOrder({ id: succeedingId, steps: [{ status: 'WAITING_FOR_SELLER_APPROVAL', requests: 1 }, { status: 'VALID_CHANNEL_OPENING' }] });
    sandbox.addOrder({ id: failingId, steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT', requests: 1 }, { status: 'BUYER_FAILED_TO_PAY' }] });

    const [succeeded, failed] = await Promise.all([
      cli(['track', 'magma', succeedingId, '--wait']),
      cli(['track', 'magma', failingId, '--wait', '--max-wait', '5m']),
    ]);
    expect(succeeded).toMatchObject({ code: 0, stderr: '' });
    expect(succeeded.stdout).toContain(`${orderWorkflowId('magma', succeedingId)} ended succeeded: VALID_CHANNEL_OPENING after 2 polls`);
    expect(failed).toMatchObject({ code: 10, stderr: '' });
    expect(failed.stdout).toContain(`${orderWorkflowId('magma', failingId)} ended failed: BUYER_FAILED_TO_PAY`);
    expect(await ledger.find('magma', succeedingId)).toMatchObject({ outcome: 'succeeded', final: true });
    expect(await ledger.find('magma', failingId)).toMatchObject({ outcome: 'failed', final: true });

    const runIds = await Promise.all([succeedingId, failingId].map(async (orderId) => (await handleOf(orderId).describe()).runId));
    const requestCounts = [succeedingId, failingId].map((orderId) => sandbox.requests(orderId).length);
    const [succeededAgain, failedAgain] = await Promise.all([
      cli(['track', 'magma', succeedingId, '--wait']),
      cli(['track', 'magma', failingId, '--json']),
    ]);
    expect(succeededAgain.code).toBe(0);
    expect(succeededAgain.stdout).toContain(`${orderWorkflowId('magma', succeedingId)} already ended: succeeded (VALID_CHANNEL_OPENING)`);
    expect(failedAgain.code).toBe(10);
    expect(JSON.parse(failedAgain.stdout)).toMatchObject({ kind: 'recorded', outcome: 'failed', status: 'BUYER_FAILED_TO_PAY' });
    // Nothing started: the latest runs are the same, and Magma was not asked again.
    expect(await Promise.all([succeedingId, failingId].map(async (orderId) => (await handleOf(orderId).describe()).runId))).toEqual(runIds);
    expect([succeedingId, failingId].map((orderId) => sandbox.requests(orderId).length)).toEqual(requestCounts);

    await eventually('visibility lists the failed order', async () =>
      (await tracker.list({ outcome: 'failed', limit: 1_000 })).some((order) => order.workflowId === orderWorkflowId('magma', failingId)),
    );
    const listed = await cli(['list', '--json', '--provider', 'magma', '--outcome', 'failed', '--limit', '1000']);
    expect(listed.code).toBe(0);
    const { orders } = JSON.parse(listed.stdout) as { orders: { workflowId: string; outcome: string }[] };
    expect(orders.map((order) => order.workflowId)).toContain(orderWorkflowId('magma', failingId));
    expect(orders.map((order) => order.workflowId)).not.toContain(orderWorkflowId('magma', succeedingId));
    // By the provider's status, in the table people read.
    const byStatus = await cli(['list', '--status', 'BUYER_FAILED_TO_PAY', '--limit', '1000']);
    expect(byStatus).toMatchObject({ code: 0, stderr: '' });
    expect(byStatus.stdout).toMatch(new RegExp(`${orderWorkflowId('magma', failingId)}\\s.*BUYER_FAILED_TO_PAY.*failed`));
    expect(byStatus.stdout).not.toContain(orderWorkflowId('magma', succeedingId));
  },
  TEST_TIMEOUT_MS,
);

test.concurrent(
  'status of an order nobody tracks exits 3',
  async () => {
    const orderId = uniqueId('cli-unknown');
    const status = await cli(['status', 'magma', orderId]);
    expect(status.code).toBe(3);
    expect(status.stdout).toBe('');
    expect(status.stderr).toContain(`no order is tracked as ${orderWorkflowId('magma', orderId)}`);
  },
  TEST_TIMEOUT_MS,
);

test.concurrent(
  'bad input exits 2, names the bad value on stderr and starts nothing',
  async () => {
    const orderId = uniqueId('cli-bad-input');
    sandbox.addOrder({ id: orderId, steps: [{ status: 'VALID_CHANNEL_OPENING' }] });
    // Input is checked before anything connects: nothing needs to answer there.
    const nowhere = { TEMPORAL_ADDRESS: `127.0.0.1:${await findFreePort()}` };
    const cases: { args: string[]; env?: Record<string, string>; names: string }[] = [
      { args: ['track', 'nosuch', orderId], names: 'unknown provider "nosuch"' },
      { args: ['track', 'magma', 'bad id!'], names: 'invalid order id "bad id!"' },
      { args: ['track', 'magma', orderId, '--max-wait', 'soon'], names: 'invalid --max-wait "soon"' },
      { args: ['track', 'magma', orderId, '--max-wait', '0s'], names: 'invalid --max-wait "0s"' },
      { args: ['track', 'magma', orderId, '--max-wait', '31d'], names: 'invalid --max-wait "31d"' },
      { args: ['track', 'magma', orderId, '--ref', 'line\nbreak'], names: 'invalid reference' },
      { args: ['track', 'magma'], names: 'track takes 2 argument(s)' },
      { args: ['track', 'magma', orderId, '--bogus'], names: '--bogus' },
      { args: ['frobnicate', 'magma', orderId], names: 'unknown command "frobnicate"' },
      { args: ['list', '--outcome', 'maybe'], names: 'invalid --outcome "maybe"' },
      { args: ['track', 'magma', orderId], env: { TEMPORAL_TASK_QUEUE: 'bad queue!' }, names: 'TEMPORAL_TASK_QUEUE' },
      { args: ['track', 'magma', orderId], env: { TEMPORAL_ADDRESS: 'nowhere' }, names: 'TEMPORAL_ADDRESS' },
      { args: ['track', 'nosuch', orderId], env: nowhere, names: 'unknown provider "nosuch"' },
      { args: ['status', 'magma', 'bad id!'], env: nowhere, names: 'invalid order id "bad id!"' },
      { args: ['cancel', 'magma'], env: nowhere, names: 'cancel takes 2 argument(s)' },
    ];
    // A few at a time: a crowd of processes starting at once would slow the other tests' commands.
    const runs: CliRun[] = [];
    for (let index = 0; index < cases.length; index += 3) {
      runs.push(...(await Promise.all(cases.slice(index, index + 3).map((item) => cli(item.args, item.env)))));
    }
    runs.forEach((run, index) => {
      const item = cases[index] as (typeof cases)[number];
      expect({ args: item.args, code: run.code, stdout: run.stdout }).toEqual({ args: item.args, code: 2, stdout: '' });
      expect(run.stderr).toContain(item.names);
    });

    await expect(handleOf(orderId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect(sandbox.requests(orderId)).toEqual([]);
    expect(await ledger.find('magma', orderId)).toBeUndefined();
  },
  TEST_TIMEOUT_MS,
);

test.concurrent(
  'with nothing listening at TEMPORAL_ADDRESS, status exits 1 within seconds and names the address',
  async () => {
    const address = `127.0.0.1:${await findFreePort()}`;
    const [status, startOnly] = await Promise.all([
      cli(['status', 'magma', uniqueId('cli-unreachable')], { TEMPORAL_ADDRESS: address }),
      // Rejected before any connection: what starting the command costs on this machine right now.
      cli(['list', '--limit', '0'], { TEMPORAL_ADDRESS: address }),
    ]);
    expect(status.code).toBe(1);
    expect(status.stdout).toBe('');
    expect(status.stderr).toContain(`no Temporal server answers at ${address}`);
    expect(status.stderr).toContain('TEMPORAL_ADDRESS');
    expect(startOnly.code).toBe(2);
    // Giving up on the server takes seconds, beyond starting node and tsx (slow on a busy machine).
    expect(status.elapsedMs - startOnly.elapsedMs).toBeLessThan(10_000);
  },
  TEST_TIMEOUT_MS,
);
