/**
 * Exactly-once fulfilment under crashes (issue 5, "Crash test"), at a size that fits CI: the same
 * run as `npm run crash-test -- --orders 200 --kills 10 [--ledger postgres]` (harness/crash/crash-test.ts).
 *
 * Real dev server on a database file (restarted once mid-run), the provider simulators, the worker
 * as a child process killed with SIGKILL at random moments and during fulfilment, a signature-checking
 * callback receiver that dedupes by Idempotency-Key. Every order must end with exactly one ledger row
 * of the outcome its script dictates, a closed workflow, and exactly one processed callback key.
 *
 * The PostgreSQL run also terminates every connection to the ledger database once while the worker
 * holds one (pg_terminate_backend): no worker may die of it.
 *
 * The PostgreSQL run installs Debian's postgresql when it is missing (scripts/install-postgres.sh)
 * and fails, saying why, when that is not possible: it is never skipped.
 */
import { type CrashTestOptions, type CrashTestReport, formatReport, runCrashTest } from '../../harness/crash/crash-test';

/** Each run takes about a minute on two cores; the bounded wait inside fails well before this. */
const TEST_TIMEOUT_MS = 170_000;

async function crashTest(options: CrashTestOptions): Promise<CrashTestReport> {
  const lines: string[] = [];
  let report: CrashTestReport;
  try {
    report = await runCrashTest({ ...options, log: (line) => lines.push(line) });
  } catch (error) {
    throw new Error(`crash test could not run: ${String(error)}\n${lines.join('\n')}`);
  }
  // The counts are the point of the test: always shown; the run's log too when something broke.
  console.log(`${formatReport(report)}${report.problems.length > 0 ? `\n${lines.join('\n')}` : ''}`);
  return report;
}

function expectExactlyOnce(report: CrashTestReport, options: CrashTestOptions): void {
  expect(report.problems).toEqual([]);
  expect(report.kills).toBeGreaterThanOrEqual(options.kills);
  expect(report.killsDuringFulfilment).toBeGreaterThanOrEqual(1);
  expect(report.serverRestarts).toBe(options.serverRestarts);
  expect(report.temporalCancelsDuringFulfilment).toBe(1);
  expect(report.ledgerRows).toBe(options.orders);
  expect(report.callbacksProcessed).toBe(options.orders);
  expect(report.ordersLost).toBe(0);
  expect(report.ordersStuck).toBe(0);
  // No worker died on its own (a database blip used to end one with an unhandled 'error' event).
  expect(report.unexpectedWorkerExits).toEqual([]);
}

test(
  'SQLite ledger: 30 orders, 4 worker SIGKILLs and a dev server restart — every order fulfilled exactly once',
  async () => {
    const options: CrashTestOptions = { orders: 30, kills: 4, serverRestarts: 1, ledger: 'sqlite', settleTimeoutMs: 100_000 };
    expectExactlyOnce(await crashTest(options), options);
  },
  TEST_TIMEOUT_MS,
);

test(
  'PostgreSQL ledger (a throwaway cluster): 24 orders, 3 worker SIGKILLs, a dev server restart and every ledger connection terminated — exactly once',
  async () => {
    const options: CrashTestOptions = { orders: 24, kills: 3, serverRestarts: 1, ledger: 'postgres', databaseBlips: 1, settleTimeoutMs: 100_000 };
    const report = await crashTest(options);
    expectExactlyOnce(report, options);
    expect(report.databaseBlips).toBe(1);
    expect(report.workerBackendsTerminated).toBeGreaterThanOrEqual(1);
  },
  TEST_TIMEOUT_MS,
);
