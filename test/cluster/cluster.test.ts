/**
 * The production path on a real Temporal cluster (issue 16), at a size that fits `npm test`: the
 * same run as `npm run test:cluster` (harness/cluster/cluster-test.ts, 200 orders) with 24 orders.
 *
 * The multi-service Temporal server built from Go modules (scripts/get-temporal-server.sh; built
 * once, minutes the first time) on PostgreSQL with 4 history shards and 4 task queue partitions, the
 * `order-tracker sandbox`, two `order-tracker worker` processes and an `order-tracker ingress`, all
 * started from the CLI. A worker is SIGKILLed mid-run and the server process restarted once.
 */
import { formatClusterReport, runClusterTest, type ClusterTestOptions, type ClusterTestReport } from '../../harness/cluster/cluster-test';

/** A run takes about two minutes on two cores; the bounded waits inside fail well before this. */
const TEST_TIMEOUT_MS = 15 * 60_000;
const OPTIONS: ClusterTestOptions = { orders: 24, kills: 1, requestsPerSecond: 2, startWindowMs: 4_000, settleTimeoutMs: 150_000 };

let report: ClusterTestReport;
let runLog: string[] = [];

beforeAll(async () => {
  runLog = [];
  try {
    report = await runClusterTest({ ...OPTIONS, log: (line) => runLog.push(line) });
  } catch (error) {
    throw new Error(`cluster test could not run: ${String(error)}\n${runLog.join('\n')}`);
  }
  console.log(`${formatClusterReport(report)}${report.problems.length > 0 ? `\n${runLog.join('\n')}` : ''}`);
}, TEST_TIMEOUT_MS);

test('24 orders of all four providers on two workers, one SIGKILLed, the server restarted: each ends as scripted, 0 lost, 0 doubled', () => {
  expect(report.temporal).toBe('cluster');
  expect(report.workers).toBe(2);
  expect(Object.keys(report.ordersByProvider).sort()).toEqual(['houdini', 'magma', 'miraclecash', 'ozzobit']);
  expect(report.kills).toBeGreaterThanOrEqual(OPTIONS.kills);
  expect(report.serverRestarts).toBe(1);
  expect(report.problems).toEqual([]);
  expect(report.ledgerRows).toBe(OPTIONS.orders);
  expect(report.callbacksProcessed).toBe(OPTIONS.orders);
  expect(report.ordersLost).toBe(0);
  expect(report.ordersStuck).toBe(0);
});

test('each provider budget of 2 requests/s across both workers: never more than 2 × 5 + 1 requests in any 5 s window', () => {
  expect(report.budget.map((entry) => entry.provider).sort()).toEqual(['houdini', 'magma', 'miraclecash', 'ozzobit']);
  for (const entry of report.budget) {
    expect(entry.requests).toBeGreaterThan(0);
    expect({ provider: entry.provider, busiest: entry.busiest <= OPTIONS.requestsPerSecond * 5 + 1 }).toEqual({ provider: entry.provider, busiest: true });
  }
});

test('list (provider and outcome filters) and status (the progress query) answer through the cluster SQL visibility', () => {
  const checks = report.cliChecks.join('\n');
  for (const provider of ['magma', 'miraclecash', 'ozzobit', 'houdini']) {
    expect(checks).toContain(`list --provider ${provider}: all`);
    expect(checks).toMatch(new RegExp(`^status ${provider} `, 'm'));
  }
  expect(checks).toContain('list --outcome timed_out: exactly');
  expect(checks).toContain('list --outcome failed: exactly');
});
