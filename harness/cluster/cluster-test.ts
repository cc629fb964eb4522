/**
 * The production path on a real Temporal cluster (issue 16):
 *
 *   npm run test:cluster [-- --orders 200 --kills 2 --requests-per-second 2 --poll-queue-partitions 1 --seed 7 --keep]
 *
 * The multi-service server on PostgreSQL (4 history shards, 4 task queue partitions; the providers'
 * poll queues one partition — see harness/servers/temporal-cluster.ts), the `order-tracker sandbox` command,
 * two `order-tracker worker` processes and one `order-tracker ingress`, all child processes started
 * from the CLI, a ledger in the cluster's PostgreSQL and a callback receiver. The crash test's run
 * (harness/crash/crash-test.ts) plays the orders of all four providers: a worker SIGKILLed mid-run
 * (the kills go round both workers), the server process restarted once on its database. Then:
 * - every order ended as scripted, one ledger row and one processed callback each: 0 lost, 0 doubled;
 * - each provider's request log (from its simulator) never shows more than budget × 5 s + 1 requests
 *   in any 5 s window;
 * - `list` (with its provider and outcome filters) and `status` (the progress query) answer through
 *   the cluster's SQL visibility, checked through the CLI as a user runs it.
 * `npm test` runs it at a small size (test/cluster/cluster.test.ts). Exit code 1 on any problem.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { given, positiveNumber, readArguments, runScript, wholeNumber } from '../../common/arguments';
import { InvalidInputError } from '../../common/order-input';
import { runCli } from '../cli-process';
import type { Outcome, ProviderName } from '../../domain/types';
import { formatReport, runCrashTest, type CrashTestReport, type InspectView } from '../crash/crash-test';

const SECOND = 1_000;
/** Visibility is written after the workflow closes: how long `list` may lag behind. */
const VISIBILITY_WAIT_MS = 30 * SECOND;
const EXIT_CODES: Record<Outcome, number> = { succeeded: 0, failed: 10, timed_out: 11, tracking_cancelled: 12 };

export interface ClusterTestOptions {
  orders: number;
  /** Worker SIGKILLs, going round the two workers (at least 1). */
  kills: number;
  /** Each provider's request budget across both workers. */
  requestsPerSecond: number;
  /**
   * Orders are started over this window (default 10 s): all four providers' orders arrive in a burst
   * whose first polls alone ask for several times the budget, so the budget, not the orders, sets
   * the pace at the start.
   */
  startWindowMs?: number;
  /** Partitions of the providers' poll task queues (1 unless measuring the 4-partition split). */
  pollQueuePartitions?: number;
  seed?: number;
  settleTimeoutMs?: number;
  keepWorkDir?: boolean;
  log?: (line: string) => void;
}

export interface ClusterTestReport extends CrashTestReport {
  /** What the CLI was asked through SIGKILLs and the restart, each line a check that held. */
  cliChecks: string[];
}

interface ListedOrder {
  workflowId: string;
  provider: string | null;
  outcome: string | null;
  executionStatus: string;
}

/** Every order the filters list, a page of 1,000 (the most `list` gives) at a time. */
async function listOrders(view: InspectView, filters: string[]): Promise<ListedOrder[]> {
  const orders: ListedOrder[] = [];
  let pageToken: string | null = null;
  do {
    const page: string[] = pageToken === null ? [] : ['--page-token', pageToken];
    const run = await runCli(['list', '--json', '--limit', '1000', ...page, ...filters], view.environment);
    if (run.code !== 0) throw new Error(`order-tracker list ${filters.join(' ')} exited ${run.code}: ${run.stderr.trim()}`);
    const listed = JSON.parse(run.stdout) as { orders: ListedOrder[]; nextPageToken: string | null };
    orders.push(...listed.orders);
    pageToken = listed.nextPageToken;
  } while (pageToken !== null);
  return orders;
}

/** `list` and `status` through the CLI against the cluster's SQL visibility and the progress query. */
async function checkCli(view: InspectView, checks: string[]): Promise<string[]> {
  const problems: string[] = [];
  const workflowIdOf = (order: { provider: ProviderName; orderId: string }) => `order:${order.provider}:${order.orderId}`;
  const expectedById = new Map(view.orders.map((order) => [workflowIdOf(order), order]));
  const providers = [...new Set(view.orders.map((order) => order.provider))];

  // Per provider: every order of the run listed, closed, with its outcome as a search attribute.
  for (const provider of providers) {
    const wanted = view.orders.filter((order) => order.provider === provider);
    let mismatches: string[] = [];
    const deadline = Date.now() + VISIBILITY_WAIT_MS;
    do {
      const listed = new Map((await listOrders(view, ['--provider', provider])).map((order) => [order.workflowId, order]));
      mismatches = wanted.flatMap((order) => {
        const found = listed.get(workflowIdOf(order));
        if (found === undefined) return [`${workflowIdOf(order)} not listed`];
        if (found.executionStatus !== 'COMPLETED' || found.outcome !== order.expected || found.provider !== provider) {
          return [`${workflowIdOf(order)} listed as ${found.executionStatus} / ${found.outcome} / ${found.provider}, expected COMPLETED / ${order.expected} / ${provider}`];
        }
        return [];
      });
      if (mismatches.length === 0) break;
      await sleep(SECOND);
    } while (Date.now() < deadline);
    if (mismatches.length > 0) problems.push(`order-tracker list --provider ${provider}: ${mismatches.slice(0, 5).join('; ')}${mismatches.length > 5 ? ` (${mismatches.length} in all)` : ''}`);
    else checks.push(`list --provider ${provider}: all ${wanted.length} orders COMPLETED with their outcome`);
  }

  // The outcome filter (OrderOutcome on SQL visibility): exactly the run's orders of that outcome.
  for (const outcome of ['timed_out', 'failed'] as const) {
    const wanted = new Set(view.orders.filter((order) => order.expected === outcome).map(workflowIdOf));
    const listed = (await listOrders(view, ['--outcome', outcome])).map((order) => order.workflowId).filter((id) => expectedById.has(id));
    const extra = listed.filter((id) => !wanted.has(id));
    const missing = [...wanted].filter((id) => !listed.includes(id));
    if (extra.length > 0 || missing.length > 0) {
      problems.push(`order-tracker list --outcome ${outcome}: missing [${missing.slice(0, 5).join(', ')}], not ${outcome} [${extra.slice(0, 5).join(', ')}]`);
    } else checks.push(`list --outcome ${outcome}: exactly the run's ${wanted.size} ${outcome} orders`);
  }

  // status (the progress query, answered by a worker) for one order of each provider.
  for (const provider of providers) {
    const order = view.orders.find((candidate) => candidate.provider === provider);
    if (order === undefined) continue;
    const run = await runCli(['status', provider, order.orderId, '--json'], view.environment);
    let progress: { outcome?: string; fulfilment?: { recorded?: boolean; callback?: string } } = {};
    try {
      progress = JSON.parse(run.stdout) as typeof progress;
    } catch {
      problems.push(`order-tracker status ${provider} ${order.orderId} printed no JSON (exit ${run.code}): ${run.stderr.trim()}`);
      continue;
    }
    if (run.code !== EXIT_CODES[order.expected] || progress.outcome !== order.expected || progress.fulfilment?.recorded !== true || progress.fulfilment.callback !== 'delivered') {
      problems.push(`order-tracker status ${provider} ${order.orderId}: exit ${run.code}, outcome ${progress.outcome}, fulfilment ${JSON.stringify(progress.fulfilment)}; expected ${order.expected}, recorded and delivered`);
    } else checks.push(`status ${provider} ${order.orderId}: ${order.expected}, recorded, callback delivered, exit ${run.code}`);
  }
  return problems;
}

export async function runClusterTest(options: ClusterTestOptions): Promise<ClusterTestReport> {
  const cliChecks: string[] = [];
  const report = await runCrashTest({
    orders: options.orders,
    kills: Math.max(1, options.kills),
    serverRestarts: 1,
    ledger: 'postgres',
    temporal: 'cluster',
    pollQueuePartitions: options.pollQueuePartitions,
    workers: 2,
    ingress: true,
    requestsPerSecond: options.requestsPerSecond,
    seed: options.seed,
    settleTimeoutMs: options.settleTimeoutMs,
    startWindowMs: options.startWindowMs ?? 10_000,
    keepWorkDir: options.keepWorkDir,
    inspect: (view) => checkCli(view, cliChecks),
    log: options.log,
  });
  return { ...report, cliChecks };
}

export function formatClusterReport(report: ClusterTestReport): string {
  return [
    formatReport(report).replace(/^crash test/, 'cluster test'),
    ...report.cliChecks.map((check) => `  cli: ${check}`),
  ].join('\n');
}

const CLUSTER_TEST_OPTIONS = {
  orders: { type: 'string' },
  kills: { type: 'string' },
  'requests-per-second': { type: 'string' },
  'poll-queue-partitions': { type: 'string' },
  'start-window': { type: 'string' },
  seed: { type: 'string' },
  'settle-timeout': { type: 'string' },
  keep: { type: 'boolean' },
} as const;

const CLUSTER_TEST_USAGE = 'use --orders N --kills N --requests-per-second N [--poll-queue-partitions N] [--start-window S] [--seed N] [--settle-timeout S] [--keep]';

export function parseClusterTestArguments(argv: string[]): ClusterTestOptions {
  const { values, positionals } = readArguments(argv, CLUSTER_TEST_OPTIONS, CLUSTER_TEST_USAGE);
  if (positionals.length > 0) throw new InvalidInputError(`unexpected argument ${JSON.stringify(positionals[0])}\n${CLUSTER_TEST_USAGE}`);
  const whole = (name: Exclude<keyof typeof values, 'keep'>, minimum = 1): number | undefined => {
    const text = values[name];
    return text === undefined ? undefined : wholeNumber(`--${name}`, text, minimum);
  };
  const seconds = (name: 'start-window' | 'settle-timeout') => {
    const value = whole(name);
    return value === undefined ? undefined : value * SECOND;
  };
  const rate = values['requests-per-second'];
  const optional = {
    pollQueuePartitions: whole('poll-queue-partitions'),
    startWindowMs: seconds('start-window'),
    seed: whole('seed'),
    settleTimeoutMs: seconds('settle-timeout'),
    keepWorkDir: values.keep,
  };
  return {
    orders: whole('orders', 6) ?? 200,
    kills: whole('kills') ?? 2,
    requestsPerSecond: rate === undefined ? 2 : positiveNumber('--requests-per-second', rate),
    ...given(optional),
  };
}

if (require.main === module) {
  runScript(
    'cluster-test',
    () => ({ log: (line: string) => console.log(line), ...parseClusterTestArguments(process.argv.slice(2)) }),
    async (options) => {
      const report = await runClusterTest(options);
      console.log(formatClusterReport(report));
      return report.problems.length === 0 ? 0 : 1;
    },
  );
}
