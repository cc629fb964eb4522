/**
 * Crash test: exactly-once fulfilment while processes die (issue 5, "Crash test").
 *
 *   npm run crash-test -- --orders 200 --kills 10 [--ledger postgres] [--server-restarts 1] [--database-blips 1] [--start-window S] [--seed 7] [--keep]
 *
 * A Temporal dev server on a database file, the provider simulators (every one the sandbox stack
 * offers and the worker has an adapter for), a callback receiver that verifies signatures and
 * dedupes by Idempotency-Key, and the worker as a child process (`node bin/order-tracker.js
 * worker`). Scripted orders — successes, failures, timeouts, cancels by signal, a few tracked twice
 * at once and one cancelled through Temporal while its callback is in flight — are started through
 * OrderTracker over a window while the worker is killed with SIGKILL again and again (some kills
 * right as a callback arrives, some while a recorded outcome's callback is still pending) and
 * restarted, and the dev server is restarted on its database (--server-restarts, default 1; SIGKILL first, then clean stops and SIGKILLs alternate). With the PostgreSQL ledger, every
 * connection to the ledger database is also terminated mid-run (`pg_terminate_backend`, as a failover
 * or an idle-session killer does): no worker may die of it.
 *
 * At the end (bounded wait) every order must have exactly one ledger row with the outcome its script
 * dictates and a delivered callback, its workflow closed with that outcome, and the receiver must have
 * processed each expected Idempotency-Key exactly once and nothing else. `npm test` runs the same
 * function at a small size (test/integration/crash.test.ts). Prints its counts; exit code 1 on any
 * problem, with the evidence (worker logs, server database) kept in the printed work folder.
 *
 * The run reads as its steps below; each lives in its own file: crash-stack.ts (the servers, the
 * ledger, the receiver, the simulators, the worker processes), play-orders.ts (the orders and the
 * receiver's answers), disruptions.ts (kills, server restarts, database blips), verdict.ts (the
 * checks after exactly-once, and the report), crash-report.ts and crash-options.ts.
 */
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { runScript } from '../../common/arguments';
import { checkExactlyOnce } from '../checks/exactly-once';
import { planOrders } from '../workload/planned-orders';
import { type CrashTestOptions, parseCrashTestArguments } from './crash-options';
import { type CrashTestReport, formatReport } from './crash-report';
import { type CrashRun, Teardown, newRun } from './crash-run';
import { type CrashStack, saveLastWorkerMetrics, startCrashStack, startProcesses } from './crash-stack';
import { blipDatabase, killWorkers, noDisruptions } from './disruptions';
import { answerCallbacks, newPlaying, playOrders } from './play-orders';
import { checkRequestBudgets, databaseBlipsOf, inspectStack, reportOf, trackFinalOrdersAgain } from './verdict';

export { type CrashTestOptions, type InspectView, parseCrashTestArguments } from './crash-options';
export { BUDGET_WINDOW_MS, type BudgetReport, type CrashTestReport, formatReport } from './crash-report';

const SECOND = 1_000;

export async function runCrashTest(options: CrashTestOptions): Promise<CrashTestReport> {
  const run = newRun(options);
  const teardown = new Teardown();
  let finished = false;
  try {
    const stack = await startCrashStack(run, teardown);
    const { orders, windowMs } = plan(run, stack);
    const playing = newPlaying(orders);
    // Before the processes stop, the orders' starts and cancels get 5 s to end.
    teardown.add(() => Promise.race([Promise.allSettled(playing.pendingWork), sleep(5 * SECOND)]));
    answerCallbacks(run, stack, orders, playing);
    const processes = await startProcesses(run, stack, teardown);
    teardown.add(() => saveLastWorkerMetrics(run));

    playing.runStart = Date.now(); // the orders' clock starts once the workers run
    const disruptions = noDisruptions();
    await Promise.all([
      playOrders(run, stack, orders, playing),
      killWorkers(run, stack, processes.workers, playing, windowMs, disruptions),
      blipDatabase(run, stack, playing, windowMs, databaseBlipsOf(run, stack), disruptions),
    ]);
    run.log(`all ${playing.started.size} orders started and ${disruptions.kills} kills done; waiting for every order to end`);

    const { client, tracker, reader, receiver } = stack;
    const ofThisRun = (key: string) => key.includes(`:crash-${run.runId}-`); // the sandbox command also plays demo orders
    const settleTimeoutMs = options.settleTimeoutMs ?? 180 * SECOND;
    const checked = await checkExactlyOnce({ client, tracker, reader, receiver, orders, started: playing.started, ofThisRun, settleTimeoutMs, problem: run.problem, log: run.log });
    const budgets = await checkRequestBudgets(run, stack, playing);
    await inspectStack(run, stack, orders, playing, checked.badSignatures);
    await trackFinalOrdersAgain(run, stack, orders);
    const report = await reportOf(run, stack, { orders, playing, disruptions, checked, budgets, processes });
    finished = true;
    return report;
  } finally {
    await teardown.run();
    if (finished && run.problems.length === 0 && !options.keepWorkDir) rmSync(run.workDir, { recursive: true, force: true });
    else run.log(`work folder kept: ${run.workDir}`);
  }
}

/** The run's orders over its start window (default from the order and kill counts). */
function plan(run: CrashRun, stack: CrashStack) {
  const { options } = run;
  const windowMs = options.startWindowMs ?? Math.max(20 * SECOND, options.kills * 7 * SECOND, options.orders * 200);
  const orders = planOrders(options.orders, stack.tracked, windowMs, run.runId, run.rand, stack.ingressPort !== undefined);
  run.log(
    `${orders.length} orders over ${windowMs / SECOND} s; ${options.kills} kills; ${options.serverRestarts ?? 1} server restart(s); ` +
      `${databaseBlipsOf(run, stack)} database blip(s); seed ${run.seed}`,
  );
  return { orders, windowMs };
}

if (require.main === module) {
  runScript(
    'crash-test',
    () => ({ log: (line: string) => console.log(line), ...parseCrashTestArguments(process.argv.slice(2)) }),
    async (options) => {
      const report = await runCrashTest(options);
      console.log(formatReport(report));
      return report.problems.length === 0 ? 0 : 1;
    },
  );
}
