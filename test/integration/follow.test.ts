import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Ledger } from '../../storage/ledger/ledger';
import { OrderTracker } from '../../client/order-tracker';
import { type MagmaSandbox } from '../../sandbox/magma';
import type { Progress } from '../../domain/types';
import { runCli, type CliRun } from '../../harness/cli-process';
import { uniqueId } from '../helpers/worker-stack';
import { type MagmaCliStack, startMagmaCliStack } from '../helpers/magma-cli-stack';

const API_KEY = 'follow-test-key';
const TASK_QUEUE = 'follow-integration';
const PROJECT_ROOT = join(__dirname, '..', '..');
/** The scripts below end within ~20 s at Magma's 7.5 s fast-phase cadence. */
const TEST_TIMEOUT_MS = 90_000;
/** Cursor up over the last view, then clear below it: how the view is redrawn in place. */
const REDRAW = /\x1b\[\d+A\r\x1b\[J/g;

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

/**
 * Runs `order-tracker <args>` on a pseudo-terminal of 120×50 (`script -e` exits with the command's
 * code) and collects what the terminal received.
 */
function runInTerminal(args: string[]): Promise<CliRun> {
  const command = `stty cols 120 rows 50; exec node bin/order-tracker.js ${args.join(' ')}`;
  const startedAt = Date.now();
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: PROJECT_ROOT, env: cliEnvironment, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), TEST_TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, elapsedMs: Date.now() - startedAt });
    });
  });
}

/** The views drawn on the terminal, in order (the text between redraws). */
function views(output: string): string[] {
  return output.replace(/\r\n/g, '\n').split(REDRAW).map((view) => view.replace(/\r/g, ''));
}

function statusOf(view: string): string | undefined {
  return /^status\s+(?!not polled yet)(\S+)/m.exec(view)?.[1];
}

/** Each status once, in the order the views showed them. */
function statusesShown(output: string): string[] {
  const statuses: string[] = [];
  for (const view of views(output)) {
    const status = statusOf(view);
    if (status !== undefined && statuses.at(-1) !== status) statuses.push(status);
  }
  return statuses;
}

test.concurrent(
  'status --follow in a terminal redraws a succeeding order in place, second by second, and exits 0',
  async () => {
    const orderId = uniqueId('follow-succeeds');
    sandbox.addOrder({
      id: orderId,
      steps: [
        { status: 'WAITING_FOR_SELLER_APPROVAL', requests: 1 },
        { status: 'WAITING_FOR_BUYER_PAYMENT', requests: 1, fields: { payment_status: 'PENDING' } },
        { status: 'VALID_CHANNEL_OPENING', fields: { channel_id: '850000x1x0' } },
      ],
    });
    await tracker.track('magma', orderId, { reference: 'merchant-follow' });

    const run = await runInTerminal(['status', '--follow', 'magma', orderId]);

    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(statusesShown(run.stdout)).toEqual(['WAITING_FOR_SELLER_APPROVAL', 'WAITING_FOR_BUYER_PAYMENT', 'VALID_CHANNEL_OPENING']);
    const shown = views(run.stdout);
    // About one view a second over the ~15 s the order takes, each replacing the last.
    expect(shown.length).toBeGreaterThanOrEqual(8);
    const live = shown.find((view) => statusOf(view) === 'WAITING_FOR_BUYER_PAYMENT') ?? '';
    expect(live).toContain(`order      magma:${orderId} (ref merchant-follow)`);
    expect(live).toMatch(/^next poll  \S+ \((in \d+s|\d+s ago)\)$/m);
    expect(live).toMatch(/^max wait   \S+ \(in 1h 59m\)$/m);
    expect(live).toContain('details    payment_status=PENDING');
    expect(live).toMatch(/^ {2}\S+Z {2}WAITING_FOR_SELLER_APPROVAL {2}\(poll\)$/m);
    expect(live).toContain('following (Ctrl-C stops following');
    const last = shown.at(-1) ?? '';
    expect(last).toMatch(/^outcome\s+succeeded$/m);
    expect(last).toContain('fulfilment recorded=true');
    expect(last).toMatch(/^ {2}\S+Z {2}VALID_CHANNEL_OPENING {2}\(poll\)$/m);
    expect(last).not.toContain('following (');
  },
  TEST_TIMEOUT_MS,
);

test.concurrent(
  'track --follow in a terminal starts a failing order, follows it to its verdict and exits 10',
  async () => {
    const orderId = uniqueId('follow-fails');
    sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT', requests: 1 }, { status: 'BUYER_FAILED_TO_PAY' }] });

    const run = await runInTerminal(['track', '--follow', 'magma', orderId, '--max-wait', '5m']);

    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 10, stderr: '' });
    expect(run.stdout).toContain(`tracking order:magma:${orderId}`);
    expect(statusesShown(run.stdout)).toEqual(['WAITING_FOR_BUYER_PAYMENT', 'BUYER_FAILED_TO_PAY']);
    expect(views(run.stdout).at(-1)).toMatch(/^outcome\s+failed$/m);
    expect(await ledger.find('magma', orderId)).toMatchObject({ outcome: 'failed', final: true });
  },
  TEST_TIMEOUT_MS,
);

test.concurrent(
  'without a terminal, status --follow appends what changed and --json prints a progress line per change',
  async () => {
    const orderId = uniqueId('follow-pipe');
    sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_SELLER_APPROVAL', requests: 1 }, { status: 'SELLER_REJECTED' }] });
    await tracker.track('magma', orderId);

    const [appended, json] = await Promise.all([
      runCli(['status', '--follow', 'magma', orderId], cliEnvironment),
      runCli(['status', '--follow', '--json', 'magma', orderId], cliEnvironment),
    ]);

    expect({ code: appended.code, stderr: appended.stderr }).toEqual({ code: 10, stderr: '' });
    expect(appended.stdout).not.toMatch(REDRAW);
    const lines = appended.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^following magma:${orderId}: started `));
    expect(lines.filter((line) => / {2}(WAITING_FOR_SELLER_APPROVAL|SELLER_REJECTED) {2}\(poll\)$/.test(line))).toHaveLength(2);
    expect(lines.filter((line) => line.includes('outcome failed: SELLER_REJECTED after 2 polls'))).toHaveLength(1);

    expect(json.code).toBe(10);
    const snapshots = json.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Progress);
    expect(snapshots.at(-1)).toMatchObject({ orderId, status: 'SELLER_REJECTED', outcome: 'failed' });
    // Only changes: no two consecutive lines are the same snapshot.
    for (let index = 1; index < snapshots.length; index += 1) expect(snapshots[index]).not.toEqual(snapshots[index - 1]);
  },
  TEST_TIMEOUT_MS,
);
