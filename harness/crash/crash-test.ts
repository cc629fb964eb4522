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
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import type { Ledger } from '../../ledger/ledger';
import { openLedger } from '../../ledger/open-ledger';
import { createProviders } from '../../providers/registry';
import { OrderTracker, type TrackResponse } from '../../client/order-tracker';
import { given, oneOf, readArguments, runScript, wholeNumber } from '../../common/arguments';
import { loadConfig, withoutPushSettings } from '../../common/config';
import { InvalidInputError } from '../../common/order-input';
import { findFreePort } from '../../common/temporal-servers';
import { startCallbackReceiver, type CallbackReceiver } from '../../test/helpers/callback-receiver';
import { cleanEnvironment } from '../../test/helpers/cli-process';
import { startPostgresCluster, type PostgresCluster } from '../../test/helpers/postgres';
import { startDevServer } from '../../workers/dev-server';
import { writeWorkflowBundles } from '../../workers/workflow-bundle';
import { inProcessSimulators, sandboxProcess, type Simulators } from '../servers/simulators';
import { startTemporalCluster } from '../servers/temporal-cluster';
import { orderWorkflowId } from '../../domain/ids';
import { PROVIDER_NAMES, type Outcome, type ProviderName } from '../../domain/types';
import { random } from '../workload/corpus';
import { EXPECTED, type OrderKind, type PlannedOrder, between, planOrders } from '../workload/planned-orders';
import { WorkerSupervisor } from '../process-supervisor';
import { type LedgerReader, ledgerReader, logicalKey, retrying } from '../checks/ledger-reader';
import { checkExactlyOnce } from '../checks/exactly-once';
import { busiestWindow, describeBusiestWindow, smallestGap } from '../checks/request-budget';
import { type KillRecovery, type KillSnapshot, formatRecovery, groupsRunBy, recoveryAfterKill, snapshotKill } from '../checks/group-recovery';
import type { RequestLogEntry } from '../../sandbox/request-log';

const SECOND = 1_000;
const NAMESPACE = 'default';
const CALLBACK_SECRET = `crash-test-${randomBytes(8).toString('hex')}`;
const OUTCOMES: readonly Outcome[] = ['succeeded', 'failed', 'timed_out', 'tracking_cancelled'];


export interface CrashTestOptions {
  orders: number;
  /** SIGKILLs of the worker (at least this many). */
  kills: number;
  /** Dev server restarts on its database (default 1). */
  serverRestarts?: number;
  ledger?: 'sqlite' | 'postgres';
  /**
   * PostgreSQL only: times every connection to the ledger database is terminated mid-run
   * (`pg_terminate_backend`, as a failover or an idle-session killer does); default 1 with postgres.
   */
  databaseBlips?: number;
  /** Orders are started over this window; default from the order and kill counts. */
  startWindowMs?: number;
  /** After the last order is started and the last kill, how long everything may take to end. */
  settleTimeoutMs?: number;
  seed?: number;
  /** Keep the work folder (worker logs, databases) even when nothing went wrong. */
  keepWorkDir?: boolean;
  /** More variables for the worker processes (e.g. METRICS_PORT: its metrics are saved at the end). */
  workerEnvironment?: Record<string, string>;
  /**
   * Where Temporal runs: the CLI's dev server on a SQLite file (default), or a real cluster — the
   * multi-service server on PostgreSQL with 4 history shards and 4 task queue partitions
   * (harness/servers/temporal-cluster.ts), restarted as a whole process on its database.
   */
  temporal?: 'dev' | 'cluster';
  /** On the cluster: partitions of the providers' poll task queues (default POLL_QUEUE_PARTITIONS, 1). */
  pollQueuePartitions?: number;
  /** Worker processes on the same task queues (default 1); the kills go round them in turn. */
  workers?: number;
  /**
   * Run the simulators as `order-tracker sandbox` and an `order-tracker ingress` receiving their
   * pushes (OZZOBiT webhooks and socket.io, Houdini WebSocket), all as child processes.
   */
  ingress?: boolean;
  /** Every provider's request budget across all workers (…_REQUESTS_PER_SECOND); default 200, never binding. */
  requestsPerSecond?: number;
  /** Runs against the live stack once every order ended (before teardown); returns problems found. */
  inspect?: (view: InspectView) => Promise<string[]>;
  log?: (line: string) => void;
}

/** What `inspect` sees: where the stack runs and what each order must have ended as. */
export interface InspectView {
  /** The variables a CLI command needs to reach this stack (TEMPORAL_ADDRESS, the task queue, DATABASE_URL, …). */
  environment: NodeJS.ProcessEnv;
  orders: { provider: ProviderName; orderId: string; expected: Outcome }[];
}

/** The busiest window of a provider's request log against its budget. */
export interface BudgetReport {
  provider: ProviderName;
  /** Requests the provider's API received from the run's processes while it ran. */
  requests: number;
  windowMs: number;
  /** The most requests in any window of `windowMs` (each window starting at a request). */
  busiest: number;
  /** requestsPerSecond × window + 1: the budget's share of the window, plus the request at its edge. */
  limit: number;
  /** The same over 30 s, where one request of jitter weighs less (reported, not checked). */
  busiest30s: number;
  /** The smallest gap between two requests (ms): 1/budget, less the jitter between a slot and its request. */
  smallestGapMs: number;
  /** The busiest window's requests (offset, operation, order or list page, HTTP status). */
  busiestRequests: string[];
}

/** The window the request budget is checked over. */
export const BUDGET_WINDOW_MS = 5 * SECOND;

export interface CrashTestReport {
  ledger: 'sqlite' | 'postgres';
  temporal: 'dev' | 'cluster';
  workers: number;
  requestsPerSecond: number;
  budget: BudgetReport[];
  /** Per kill: the poll groups the killed worker ran, and how long their members went unasked. */
  groupRecovery: KillRecovery[];
  seed: number;
  providers: ProviderName[];
  orders: number;
  ordersByKind: Record<OrderKind, number>;
  ordersByProvider: Partial<Record<ProviderName, number>>;
  kills: number;
  killsDuringFulfilment: number;
  killsByTrigger: Record<string, number>;
  workerStarts: number;
  /** Worker processes that ended without being killed by the test (restarted all the same). */
  unexpectedWorkerExits: string[];
  serverRestarts: number;
  /** Times every ledger connection was terminated, and how many connections that ended in all. */
  databaseBlips: number;
  backendsTerminated: number;
  workerBackendsTerminated: number;
  /** Worker logs' "ledger database connection lost" lines: the blips the workers heard and survived. */
  databaseErrorsLogged: number;
  temporalCancelsDuringFulfilment: number;
  ledgerRows: number;
  ledgerRowsByOutcome: Record<Outcome, number>;
  callbacksProcessed: number;
  duplicateDeliveries: number;
  callbackRequests: number;
  /** 503 answers to first deliveries (flaky receiver), each followed by a retry. */
  callbacksRefusedOnce: number;
  /** Activity attempts after the first, by type, over all orders' histories (kills, timeouts, the 503s). */
  stepsRetried: Record<string, number>;
  ordersLost: number;
  ordersStuck: number;
  wallTimeMs: number;
  workDir: string;
  /** Empty when exactly-once held everywhere; otherwise what broke, order by order. */
  problems: string[];
}

/** The worker's `application_name` on the PostgreSQL ledger: how a blip finds its connections. */
const WORKER_APPLICATION_NAME = 'crash-test-worker';

/** How many lines of all worker logs in the work folder contain `text`. */
function countInWorkerLogs(workDir: string, text: string): number {
  return readdirSync(workDir)
    .filter((name) => /^worker-\d+\.log$/.test(name))
    .reduce((count, name) => count + readFileSync(join(workDir, name), 'utf8').split('\n').filter((line) => line.includes(text)).length, 0);
}

function countBy<K extends string>(keys: readonly K[], values: readonly K[]): Record<K, number> {
  const counts = Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

export { busiestWindow };

/** The Temporal server under test, restartable on its database at the same address. */
interface TemporalUnderTest {
  address: string;
  /** What the log calls it. */
  name: string;
  /** The cluster's PostgreSQL, free for the ledger (a database of its own). */
  postgresUrl?: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function startTemporalUnderTest(options: CrashTestOptions, workDir: string, taskQueue: string, log: (line: string) => void): Promise<TemporalUnderTest> {
  if (options.temporal === 'cluster') {
    const cluster = await startTemporalCluster({ namespace: NAMESPACE, taskQueue, pollQueuePartitions: options.pollQueuePartitions, log });
    return {
      address: cluster.address,
      name: 'the Temporal cluster',
      postgresUrl: cluster.postgres.url,
      restart: () => cluster.restart(),
      stop: () => cluster.stop(),
    };
  }
  const serverOptions = { dbFile: join(workDir, 'temporal.sqlite'), port: await findFreePort(), uiPort: await findFreePort(), namespace: NAMESPACE };
  let server = await startDevServer(serverOptions);
  let restarts = 0;
  return {
    address: server.address,
    name: 'the dev server',
    // The first restart kills the server (SIGKILL: what it wrote must survive a crash), the next
    // stops it cleanly, and so on.
    restart: async () => {
      await (restarts % 2 === 0 ? server.kill() : server.stop());
      restarts += 1;
      server = await startDevServer(serverOptions);
    },
    stop: () => server.stop(),
  };
}

export async function runCrashTest(options: CrashTestOptions): Promise<CrashTestReport> {
  const startedAt = Date.now();
  const ledgerKind = options.ledger ?? 'sqlite';
  const seed = options.seed ?? Math.floor(Math.random() * 1_000_000);
  const rand = random(seed);
  const runId = randomBytes(3).toString('hex');
  const serverRestartsWanted = options.serverRestarts ?? 1;
  // Blips terminate every connection of the crash test's own PostgreSQL; a cluster's also serves
  // Temporal itself, so there the ledger is left alone unless asked.
  const ownPostgres = ledgerKind === 'postgres' && (options.temporal ?? 'dev') === 'dev';
  const databaseBlipsWanted = ownPostgres ? (options.databaseBlips ?? 1) : 0;
  const workDir = mkdtempSync(join(tmpdir(), 'order-tracker-crash-'));
  const log = (line: string) => options.log?.(`[${((Date.now() - startedAt) / SECOND).toFixed(1).padStart(6)} s] ${line}`);
  const problems: string[] = [];
  const problem = (text: string) => {
    problems.push(text);
    log(`PROBLEM: ${text}`);
  };

  let server: TemporalUnderTest | undefined;
  let postgres: PostgresCluster | undefined;
  let simulators: Simulators | undefined;
  let ingress: WorkerSupervisor | undefined;
  let receiver: CallbackReceiver | undefined;
  let connection: Connection | undefined;
  let ledger: Ledger | undefined;
  let reader: LedgerReader | undefined;
  let supervisors: WorkerSupervisor[] = [];
  const pendingWork: Promise<unknown>[] = [];
  let finished = false;

  try {
    // --- the stack ---------------------------------------------------------------------------
    const taskQueue = `crash-${runId}`;
    const temporalKind = options.temporal ?? 'dev';
    server = await startTemporalUnderTest(options, workDir, taskQueue, log);
    log(`${server.name} at ${server.address}`);
    const databaseUrl =
      ledgerKind === 'postgres'
        ? (server.postgresUrl ?? (postgres = await startPostgresCluster({ database: `crash_${runId}` })).url)
        : `sqlite:${join(workDir, 'ledger.sqlite')}`;
    log(`ledger ${ledgerKind}: ${databaseUrl}`);
    receiver = await startCallbackReceiver(CALLBACK_SECRET);

    const requestsPerSecond = options.requestsPerSecond ?? 200;
    const ingressPort = options.ingress ? await findFreePort() : undefined;
    simulators = ingressPort !== undefined
      ? await sandboxProcess(cleanEnvironment({ INGRESS_PORT: String(ingressPort) }), join(workDir, 'sandbox.log'))
      : await inProcessSimulators();
    const workerCount = Math.max(1, options.workers ?? 1);
    // Bundled once here: every worker start (and restart after a kill) loads it instead of spending
    // tens of CPU-seconds on webpack, which on two busy cores held a start past its 90 s.
    const bundleDir = join(workDir, 'workflow-bundle');
    await writeWorkflowBundles(bundleDir, [options.workerEnvironment?.ORDER_TRACKER_ENCRYPTION_KEY === undefined ? 'plain' : 'encrypted-failures']);
    log('workflows bundled');
    // Without an ingress the workers poll every provider at their own cadence.
    const workerEnvironment = cleanEnvironment({
      WORKFLOW_BUNDLE: bundleDir,
      ...(ingressPort !== undefined ? simulators.environment : withoutPushSettings(simulators.environment)),
      ...(ingressPort !== undefined && { INGRESS_PORT: String(ingressPort) }),
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_NAMESPACE: NAMESPACE,
      TEMPORAL_TASK_QUEUE: taskQueue,
      // Named, so a database blip can wait until a worker holds a connection to kill.
      DATABASE_URL: ledgerKind === 'postgres' ? `${databaseUrl}?application_name=${WORKER_APPLICATION_NAME}` : databaseUrl,
      FULFILLMENT_WEBHOOK_URL: receiver.url,
      FULFILLMENT_WEBHOOK_SECRET: CALLBACK_SECRET,
      ...Object.fromEntries(PROVIDER_NAMES.map((provider) => [`${provider.toUpperCase()}_REQUESTS_PER_SECOND`, String(requestsPerSecond)])),
      ...options.workerEnvironment,
    });
    const config = loadConfig(workerEnvironment);
    const adapters = createProviders(config.providers);
    const providers = simulators.providers;
    for (const provider of providers.filter((name) => adapters[name] === undefined)) {
      log(`note: the sandbox offers ${provider} but the worker has no adapter for it yet; its orders are left out`);
    }
    const tracked = providers.filter((provider) => adapters[provider] !== undefined);
    if (tracked.length === 0) throw new Error('no provider is both simulated by the sandbox stack and polled by the worker');
    log(`providers: ${tracked.join(', ')}`);

    ledger = await openLedger(databaseUrl); // creates the table, so the reader can start at once
    reader = ledgerReader(databaseUrl);
    connection = await Connection.connect({ address: server.address });
    const runPrefix = `crash-${runId}-`;
    /** Ledger keys and callback keys of this run's orders (the sandbox command also plays demo orders). */
    const ofThisRun = (key: string) => key.includes(`:${runPrefix}`);
    const client = new Client({ connection, namespace: NAMESPACE });
    const tracker = new OrderTracker({ client, taskQueue, ledger });

    const windowMs = options.startWindowMs ?? Math.max(20 * SECOND, options.kills * 7 * SECOND, options.orders * 200);
    const orders = planOrders(options.orders, tracked, windowMs, runId, rand, ingressPort !== undefined);
    const byKey = new Map(orders.map((order) => [`${order.provider}:${order.orderId}`, order]));
    log(
      `${orders.length} orders over ${windowMs / SECOND} s; ${options.kills} kills; ${serverRestartsWanted} server restart(s); ` +
        `${databaseBlipsWanted} database blip(s); seed ${seed}`,
    );

    // --- the receiver: flaky first answers, kills and a Temporal cancel while a callback is in flight ----
    const flakyKeys = new Set(orders.filter((order) => order.flakyCallback).map((order) => `${order.provider}:${order.orderId}:${order.expected}`));
    const cancelInFulfilment = new Set(
      orders.filter((order) => order.kind === 'temporal_cancel_in_fulfilment').map((order) => `${order.provider}:${order.orderId}:${order.expected}`),
    );
    let callbacksRefusedOnce = 0;
    let temporalCancelsDuringFulfilment = 0;
    let killOnCallback: (() => void) | undefined;
    receiver.answer = ({ idempotencyKey, attempt }) => {
      if (attempt === 1 && flakyKeys.has(logicalKey(idempotencyKey))) {
        callbacksRefusedOnce += 1;
        return 503;
      }
      return 200;
    };
    receiver.beforeAnswer = async ({ idempotencyKey }) => {
      if (killOnCallback !== undefined) {
        const kill = killOnCallback;
        killOnCallback = undefined;
        kill(); // the worker dies while its deliverCallback waits for this answer
      }
      if (cancelInFulfilment.delete(idempotencyKey)) {
        const order = byKey.get(idempotencyKey.split(':').slice(0, 2).join(':'));
        if (order !== undefined) {
          await retrying('Temporal cancel', () => client.workflow.getHandle(orderWorkflowId(order.provider, order.orderId)).cancel());
          temporalCancelsDuringFulfilment += 1;
          log(`Temporal cancel sent to ${order.orderId} while its callback is in flight`);
          await sleep(500); // let the cancel reach the workflow before deliverCallback completes
        }
      }
    };

    // --- the worker ----------------------------------------------------------------------------
    supervisors = Array.from({ length: workerCount }, (_, index) =>
      new WorkerSupervisor(workerEnvironment, workDir, log, workerCount === 1 ? 'worker' : `worker-${String.fromCharCode(97 + index)}`),
    );
    for (const supervisor of supervisors) supervisor.start();
    await Promise.all(supervisors.map((supervisor) => supervisor.ready()));
    log(`${workerCount} worker process(es) ready`);
    if (ingressPort !== undefined) {
      ingress = new WorkerSupervisor(workerEnvironment, workDir, log, 'ingress', 'ingress');
      ingress.start();
      await ingress.ready();
      log(`ingress ready on port ${ingressPort}`);
    }

    // --- orders ------------------------------------------------------------------------------
    let serverDown: Promise<void> | undefined;
    const started = new Set<string>();
    const runStart = Date.now();
    const startOrder = async (order: PlannedOrder) => {
      await serverDown;
      await (simulators as Simulators).addOrder(order.provider, order.script);
      const track = () =>
        retrying(`track ${order.orderId}`, () => tracker.track(order.provider, order.orderId, { maxWaitMs: order.maxWaitMs, reference: `ref-${order.orderId}` }));
      try {
        if (order.kind === 'tracked_twice') {
          const [first, second] = await Promise.all([track(), track()]);
          const runIds = [first, second].map((response: TrackResponse) => (response.kind === 'tracking' ? response.runId : 'recorded'));
          if (runIds[0] !== runIds[1] || runIds[0] === 'recorded') {
            problem(`${order.orderId} tracked twice at once gave two different answers: ${runIds.join(' / ')}`);
          }
        } else {
          const response = await track();
          if (response.kind !== 'tracking') problem(`${order.orderId}: track returned ${response.kind} for a new order`);
        }
        started.add(order.orderId);
      } catch (error) {
        problem(`${order.orderId} could not be started: ${String(error)}`);
        return;
      }
      if (order.cancelAfterMs !== undefined) {
        await sleep(order.cancelAfterMs);
        await serverDown;
        try {
          await retrying(`cancel ${order.orderId}`, () => tracker.cancel(order.provider, order.orderId, 'crash test'));
        } catch (error) {
          problem(`${order.orderId}: the cancel signal could not be sent: ${String(error)}`);
        }
      }
    };
    const starter = (async () => {
      for (const order of orders) {
        const wait = runStart + order.startAt - Date.now();
        if (wait > 0) await sleep(wait);
        pendingWork.push(startOrder(order));
      }
      await Promise.all(pendingWork);
    })();

    // --- kills and the server restart ------------------------------------------------------------
    const activeSupervisors = supervisors;
    const killSnapshots: Promise<KillSnapshot>[] = [];
    const groupShards = Object.fromEntries(tracked.map((provider) => [provider, config.pollGroups[provider]]));
    const killsByTrigger: Record<string, number> = {};
    let kills = 0;
    let killsDuringFulfilment = 0;
    let serverRestarts = 0;
    const triggers = ['callback', 'random', 'pending', 'random'] as const;
    // Restarts spread evenly between the kills (one: halfway through them).
    const serverRestartAt = Array.from({ length: serverRestartsWanted }, (_, restart) => Math.floor(((restart + 1) * options.kills) / (serverRestartsWanted + 1)));
    const killer = (async () => {
      for (let index = 0; index < options.kills; index += 1) {
        // Spread the kills over the start window (no earlier than their share of it).
        const notBefore = runStart + (windowMs * index) / Math.max(1, options.kills) - Date.now();
        if (notBefore > 0) await sleep(notBefore);
        const activeSupervisor = activeSupervisors[index % activeSupervisors.length] as WorkerSupervisor;
        await activeSupervisor.ready();
        while (serverRestarts < serverRestartsWanted && serverRestartAt[serverRestarts] === index) {
          await sleep(between(rand, 1 * SECOND, 4 * SECOND));
          log(`restarting ${(server as TemporalUnderTest).name} on its database`);
          let up: () => void = () => undefined;
          serverDown = new Promise<void>((resolveUp) => (up = resolveUp));
          const stoppedAt = Date.now();
          try {
            await (server as TemporalUnderTest).restart();
            serverRestarts += 1;
          } finally {
            up();
            serverDown = undefined;
          }
          log(`${(server as TemporalUnderTest).name} back after ${((Date.now() - stoppedAt) / SECOND).toFixed(1)} s`);
        }
        const trigger = triggers[index % triggers.length] ?? 'random';
        let killed: ChildProcess | undefined;
        let how: string = trigger;
        let during = false;
        if (trigger === 'callback') {
          // Killed from inside the receiver, before it answers: the delivery is in flight.
          const fired = new Promise<boolean>((resolveFired) => {
            killOnCallback = () => {
              killed = activeSupervisor.killNow();
              resolveFired(true);
            };
          });
          during = await Promise.race([fired, sleep(10 * SECOND).then(() => false)]);
          killOnCallback = undefined;
          if (!during) how = 'callback (none came: at random)';
        } else if (trigger === 'pending') {
          // Killed while a recorded outcome's callback is still pending (between or during the steps).
          const deadline = Date.now() + 10 * SECOND;
          while (Date.now() < deadline) {
            if ((await (reader as LedgerReader).pendingCallbacks()) > 0) {
              killed = activeSupervisor.killNow();
              during = true;
              break;
            }
            await sleep(50);
          }
          if (killed === undefined) how = 'pending (none seen: at random)';
        } else {
          await sleep(between(rand, 500, 6 * SECOND));
        }
        if (killed === undefined) {
          const pendingNow = await (reader as LedgerReader).pendingCallbacks();
          const inFlightNow = (receiver as CallbackReceiver).inFlight();
          killed = activeSupervisor.killNow();
          during = pendingNow > 0 || inFlightNow > 0;
        }
        if (killed === undefined) {
          // The worker had just ended by itself (the supervisor is starting another): kill that one.
          index -= 1;
          continue;
        }
        kills += 1;
        // Which poll groups died with it, and their members then: how long they go unasked is measured at the end.
        const killedPid = killed.pid ?? -1;
        killSnapshots.push(
          snapshotKill(Date.now(), killedPid, () => groupsRunBy(client, killedPid, groupShards, taskQueue), () => (reader as LedgerReader).groupMembers()),
        );
        if (during) killsDuringFulfilment += 1;
        killsByTrigger[how] = (killsByTrigger[how] ?? 0) + 1;
        log(`kill ${kills}/${options.kills} (${how})${during ? ' during fulfilment' : ''}: worker ${index % activeSupervisors.length + 1} pid ${killed?.pid} at ${new Date().toISOString()}; restarting it`);
        await activeSupervisor.restartAfter(killed);
      }
      await Promise.all(activeSupervisors.map((supervisor) => supervisor.ready()));
    })();

    // --- database blips: every ledger connection terminated while orders are being fulfilled ------
    let databaseBlips = 0;
    let backendsTerminated = 0;
    let workerBackendsTerminated = 0;
    const blipper = (async () => {
      for (let index = 0; index < databaseBlipsWanted; index += 1) {
        // Between the kills, while outcomes are being recorded (the first orders end within seconds).
        const at = runStart + (windowMs * (index + 1)) / (databaseBlipsWanted + 1) + 1.5 * SECOND - Date.now();
        if (at > 0) await sleep(at);
        // A blip nobody holds a connection through proves nothing: wait for a worker's (a pool keeps
        // one for 10 s after a write, so this is soon while orders are being fulfilled).
        const cluster = postgres as PostgresCluster;
        const waitUntil = Date.now() + 60 * SECOND;
        let workerConnections = 0;
        while ((workerConnections = await cluster.countBackends(WORKER_APPLICATION_NAME)) === 0 && Date.now() < waitUntil) await sleep(100);
        const terminated = await cluster.terminateBackends();
        databaseBlips += 1;
        backendsTerminated += terminated;
        workerBackendsTerminated += workerConnections;
        log(`database blip ${databaseBlips}/${databaseBlipsWanted}: terminated all ${terminated} connection(s) to the ledger database, ${workerConnections} of them the worker's`);
      }
    })();

    await Promise.all([starter, killer, blipper]);
    log(`all ${started.size} orders started and ${kills} kills done; waiting for every order to end`);

    const checked = await checkExactlyOnce({ client, tracker, reader, receiver, orders, started, ofThisRun, settleTimeoutMs: options.settleTimeoutMs ?? 180 * SECOND, problem, log });
    const { stepsRetried, rows, processed, ordersLost, ordersStuck, badSignatures } = checked;
    // The provider-wide budget, from what each simulator received (not from the tracker's account).
    const budget: BudgetReport[] = [];
    const receivedBy: Partial<Record<ProviderName, RequestLogEntry[]>> = {};
    for (const provider of tracked) {
      const received = (await simulators.requests(provider)).filter((request) => request.at >= runStart).sort((a, b) => a.at - b.at);
      receivedBy[provider] = received;
      // The evidence of the budget (and of the kills' re-poll gaps), kept with the work folder.
      writeFileSync(join(workDir, `requests-${provider}.json`), JSON.stringify(received));
      const times = received.map((request) => request.at);
      const entry: BudgetReport = {
        provider,
        requests: times.length,
        windowMs: BUDGET_WINDOW_MS,
        busiest: busiestWindow(times, BUDGET_WINDOW_MS),
        busiest30s: busiestWindow(times, 30 * SECOND),
        limit: (requestsPerSecond * BUDGET_WINDOW_MS) / SECOND + 1,
        smallestGapMs: smallestGap(times),
        busiestRequests: describeBusiestWindow(received, BUDGET_WINDOW_MS),
      };
      budget.push(entry);
      if (entry.busiest > entry.limit) {
        problem(
          `${provider} received ${entry.busiest} requests in ${BUDGET_WINDOW_MS / SECOND} s, over its budget of ${requestsPerSecond}/s (at most ${entry.limit}): ${entry.busiestRequests.join('; ')}`,
        );
      }
    }
    const groupRecovery = (await Promise.all(killSnapshots)).map((snapshot) => recoveryAfterKill(snapshot, receivedBy));
    if (options.inspect !== undefined) {
      const found = await options.inspect({
        environment: cleanEnvironment({ TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: NAMESPACE, TEMPORAL_TASK_QUEUE: taskQueue, DATABASE_URL: databaseUrl }),
        orders: orders.map(({ provider, orderId, expected }) => ({ provider, orderId, expected })),
      });
      for (const text of found) problem(text);
    }
    if (badSignatures > 0) problem(`${badSignatures} callback(s) had an invalid signature`);
    if (cancelInFulfilment.size > 0) problem(`the Temporal cancel during fulfilment was never sent (${[...cancelInFulfilment].join(', ')})`);

    // A final order tracked again returns its recorded result and starts nothing.
    const finals = orders.filter((order) => order.expected === 'succeeded' || order.expected === 'failed').slice(0, 3);
    const requestsBefore = receiver.received.length;
    for (const order of finals) {
      const again = await retrying(`track ${order.orderId} again`, () => tracker.track(order.provider, order.orderId));
      if (again.kind !== 'recorded') problem(`${order.orderId}: tracking a final order again started a workflow`);
    }
    await sleep(500);
    if (receiver.received.length !== requestsBefore) problem('tracking final orders again sent callbacks');

    const report: CrashTestReport = {
      ledger: ledgerKind,
      temporal: temporalKind,
      workers: workerCount,
      requestsPerSecond,
      budget,
      groupRecovery,
      seed,
      providers: tracked,
      orders: orders.length,
      ordersByKind: countBy(Object.keys(EXPECTED) as OrderKind[], orders.map((order) => order.kind)),
      ordersByProvider: countBy(tracked, orders.map((order) => order.provider)),
      kills,
      killsDuringFulfilment,
      killsByTrigger,
      workerStarts: supervisors.reduce((sum, supervisor) => sum + supervisor.starts, 0),
      unexpectedWorkerExits: [...supervisors, ...(ingress ? [ingress] : [])].flatMap((supervisor) => supervisor.unexpectedExits),
      serverRestarts,
      databaseBlips,
      backendsTerminated,
      workerBackendsTerminated,
      databaseErrorsLogged: countInWorkerLogs(workDir, 'ledger database connection lost'),
      temporalCancelsDuringFulfilment,
      ledgerRows: rows.length,
      ledgerRowsByOutcome: countBy(OUTCOMES, rows.map((row) => row.outcome as Outcome)),
      callbacksProcessed: processed.length,
      duplicateDeliveries: receiver.duplicates(),
      callbackRequests: receiver.received.length,
      callbacksRefusedOnce,
      stepsRetried,
      ordersLost,
      ordersStuck,
      wallTimeMs: Date.now() - startedAt,
      workDir,
      problems,
    };
    if (report.kills < options.kills) problem(`only ${report.kills} of ${options.kills} kills happened`);
    if (serverRestarts < serverRestartsWanted) problem(`${server.name} was restarted ${serverRestarts} times, not ${serverRestartsWanted}`);
    if (databaseBlips < databaseBlipsWanted) problem(`the ledger database blipped ${databaseBlips} times, not ${databaseBlipsWanted}`);
    if (databaseBlipsWanted > 0 && workerBackendsTerminated === 0) problem('no database blip hit a connection of the worker');
    // A process the test did not kill must not have died: least of all from the database.
    for (const exit of report.unexpectedWorkerExits) problem(`a process died on its own: ${exit}`);
    finished = true;
    return report;
  } finally {
    const metricsPort = options.workerEnvironment?.METRICS_PORT;
    if (metricsPort !== undefined) {
      try {
        const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
        writeFileSync(join(workDir, 'last-worker-metrics.txt'), await response.text());
      } catch (error) {
        log(`could not read the last worker's metrics: ${String(error)}`);
      }
    }
    await Promise.all(supervisors.map((supervisor) => supervisor.stop().catch(() => undefined)));
    await ingress?.stop().catch(() => undefined);
    await Promise.race([Promise.allSettled(pendingWork), sleep(5 * SECOND)]);
    await connection?.close().catch(() => undefined);
    await reader?.close().catch(() => undefined);
    await ledger?.close().catch(() => undefined);
    await receiver?.close().catch(() => undefined);
    await simulators?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    await postgres?.stop().catch(() => undefined);
    if (finished && problems.length === 0 && !options.keepWorkDir) rmSync(workDir, { recursive: true, force: true });
    else log(`work folder kept: ${workDir}`);
  }
}

/** The counts, one per line, as the script prints them. */
export function formatReport(report: CrashTestReport): string {
  const seconds = (report.wallTimeMs / SECOND).toFixed(1);
  const kinds = Object.entries(report.ordersByKind).map(([kind, count]) => `${kind} ${count}`).join(', ');
  const perProvider = Object.entries(report.ordersByProvider).map(([provider, count]) => `${provider} ${count}`).join(', ');
  const outcomes = Object.entries(report.ledgerRowsByOutcome).map(([outcome, count]) => `${outcome} ${count}`).join(', ');
  const triggers = Object.entries(report.killsByTrigger).map(([trigger, count]) => `${trigger} ${count}`).join(', ');
  return [
    `crash test (${report.temporal === 'cluster' ? 'Temporal cluster' : 'dev server'}, ${report.workers} worker process(es), ${report.ledger} ledger, seed ${report.seed}): ${report.problems.length === 0 ? 'PASSED' : 'FAILED'}`,
    `  orders:                 ${report.orders} (${perProvider}; ${kinds})`,
    `  worker kills (SIGKILL): ${report.kills}, ${report.killsDuringFulfilment} during fulfilment (${triggers})`,
    `  worker starts:          ${report.workerStarts}${report.unexpectedWorkerExits.length > 0 ? `, unexpected exits ${report.unexpectedWorkerExits.length}` : ''}`,
    `  server restarts:        ${report.serverRestarts}`,
    `  database blips:         ${report.databaseBlips} (${report.backendsTerminated} connections terminated, ${report.workerBackendsTerminated} of them the worker's; workers logged ${report.databaseErrorsLogged} lost connections and lived on)`,
    `  Temporal cancels sent during fulfilment: ${report.temporalCancelsDuringFulfilment}`,
    `  ledger rows:            ${report.ledgerRows} (${outcomes})`,
    `  callbacks processed:    ${report.callbacksProcessed} (requests ${report.callbackRequests}, refused once on purpose ${report.callbacksRefusedOnce})`,
    `  duplicate deliveries:   ${report.duplicateDeliveries} (deduped by Idempotency-Key)`,
    `  attempts after the 1st: ${Object.entries(report.stepsRetried).map(([step, count]) => `${step} ${count}`).join(', ')} (each fulfilment step scheduled once per order)`,
    `  orders lost / stuck:    ${report.ordersLost} / ${report.ordersStuck}`,
    `  request budget:         ${report.requestsPerSecond}/s per provider; busiest ${BUDGET_WINDOW_MS / SECOND} s window (at most ${(report.requestsPerSecond * BUDGET_WINDOW_MS) / SECOND + 1}): ${report.budget.map((entry) => `${entry.provider} ${entry.busiest} of ${entry.requests} requests`).join(', ')}; busiest 30 s window (at most budget × 30 + 1 = ${report.requestsPerSecond * 30 + 1}): ${report.budget.map((entry) => `${entry.provider} ${entry.busiest30s}`).join(', ')}; smallest gap between two requests: ${report.budget.map((entry) => `${entry.provider} ${(entry.smallestGapMs / SECOND).toFixed(3)} s`).join(', ')}`,
    ...formatRecovery(report.groupRecovery).map((line) => `  poll groups after ${line}`),
    `  wall time:              ${seconds} s`,
    ...report.unexpectedWorkerExits.map((exit) => `  note: ${exit}`),
    ...report.problems.map((text) => `  PROBLEM: ${text}`),
    ...(report.problems.length > 0 ? [`  evidence: ${report.workDir}`] : []),
  ].join('\n');
}

const CRASH_TEST_OPTIONS = {
  orders: { type: 'string' },
  kills: { type: 'string' },
  'server-restarts': { type: 'string' },
  'database-blips': { type: 'string' },
  seed: { type: 'string' },
  'settle-timeout': { type: 'string' },
  'start-window': { type: 'string' },
  keep: { type: 'boolean' },
  'worker-env': { type: 'string', multiple: true },
  quiet: { type: 'boolean' },
  workers: { type: 'string' },
  'requests-per-second': { type: 'string' },
  ingress: { type: 'boolean' },
  temporal: { type: 'string' },
  ledger: { type: 'string' },
} as const;

const CRASH_TEST_USAGE =
  'use --orders N --kills N [--ledger sqlite|postgres] [--server-restarts N] [--database-blips N] [--temporal dev|cluster] [--workers N] [--ingress] [--requests-per-second N] [--seed N] [--settle-timeout S] [--start-window S] [--worker-env NAME=VALUE] [--keep] [--quiet]';

export function parseCrashTestArguments(argv: string[]): CrashTestOptions {
  const { values, positionals } = readArguments(argv, CRASH_TEST_OPTIONS, CRASH_TEST_USAGE);
  if (positionals.length > 0) throw new InvalidInputError(`unexpected argument ${JSON.stringify(positionals[0])}\n${CRASH_TEST_USAGE}`);
  const whole = (name: keyof typeof values, minimum = 0): number | undefined => {
    const text = values[name];
    return typeof text === 'string' ? wholeNumber(`--${name}`, text, minimum) : undefined;
  };
  const options: CrashTestOptions = { orders: whole('orders', 6) ?? 200, kills: whole('kills') ?? 10 };
  if (values.quiet) options.log = undefined;
  if (values.keep) options.keepWorkDir = true;
  if (values.ingress) options.ingress = true;
  if (values.temporal !== undefined) options.temporal = oneOf('--temporal', values.temporal, ['dev', 'cluster'] as const);
  if (values.ledger !== undefined) options.ledger = oneOf('--ledger', values.ledger, ['sqlite', 'postgres'] as const);
  const settleSeconds = whole('settle-timeout');
  const windowSeconds = whole('start-window', 1);
  const optional = {
    startWindowMs: windowSeconds === undefined ? undefined : windowSeconds * SECOND,
    serverRestarts: whole('server-restarts'),
    databaseBlips: whole('database-blips'),
    seed: whole('seed'),
    settleTimeoutMs: settleSeconds === undefined ? undefined : settleSeconds * SECOND,
    workers: whole('workers', 1),
    requestsPerSecond: whole('requests-per-second', 1),
  };
  Object.assign(options, given(optional));
  for (const assignment of values['worker-env'] ?? []) {
    const at = assignment.indexOf('=');
    if (at < 1) throw new InvalidInputError(`invalid --worker-env ${JSON.stringify(assignment)}: use NAME=VALUE`);
    options.workerEnvironment = { ...options.workerEnvironment, [assignment.slice(0, at)]: assignment.slice(at + 1) };
  }
  return options;
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
