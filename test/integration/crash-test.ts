/**
 * Crash test: exactly-once fulfilment while processes die (issue 5, "Crash test").
 *
 *   npm run crash-test -- --orders 200 --kills 10 [--ledger postgres] [--server-restarts 1] [--database-blips 1] [--seed 7] [--keep]
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
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { Pool } from 'pg';
import type { Ledger } from '../../ledger/ledger';
import { openLedger } from '../../ledger/open-ledger';
import { createProviders } from '../../providers/registry';
import { OrderTracker, type TrackResponse } from '../../client/order-tracker';
import { given, oneOf, readArguments, runScript, wholeNumber } from '../../common/arguments';
import { loadConfig, withoutPushSettings } from '../../common/config';
import { InvalidInputError } from '../../common/order-input';
import { findFreePort } from '../../common/temporal-servers';
import type { OrderScript, Step } from '../../sandbox/scenario';
import { startCallbackReceiver, type CallbackReceiver } from '../helpers/callback-receiver';
import { cleanEnvironment } from '../helpers/cli-process';
import { startPostgresCluster, type PostgresCluster } from '../helpers/postgres';
import { startDevServer } from '../../workers/dev-server';
import { writeWorkflowBundles } from '../../workers/workflow-bundle';
import { inProcessSimulators, sandboxProcess, type Simulators } from '../../scripts/simulators';
import { startTemporalCluster } from '../../scripts/temporal-cluster';
import { orderWorkflowId } from '../../domain/ids';
import { PROVIDER_NAMES, type Outcome, type ProviderName } from '../../domain/types';
import { random } from '../../bench/workload';

const PROJECT_ROOT = resolve(__dirname, '..', '..');
const CLI = join(PROJECT_ROOT, 'bin', 'order-tracker.js');
const SECOND = 1_000;
const NAMESPACE = 'default';
const CALLBACK_SECRET = `crash-test-${randomBytes(8).toString('hex')}`;
const OUTCOMES: readonly Outcome[] = ['succeeded', 'failed', 'timed_out', 'tracking_cancelled'];

/** What each simulated provider plays: in-flight statuses (fast-polled ones first) and verdicts. */
interface ProviderProfile {
  inFlight: readonly string[];
  succeeded: readonly string[];
  failed: readonly string[];
  /** In-flight steps before a verdict. */
  maxInFlightSteps: number;
  /** Provider-specific script fields. */
  scriptExtras?: Record<string, unknown>;
}

const PROFILES: Record<ProviderName, ProviderProfile> = {
  magma: {
    inFlight: ['WAITING_FOR_SELLER_APPROVAL', 'WAITING_FOR_BUYER_PAYMENT', 'WAITING_FOR_CHANNEL_OPEN'],
    succeeded: ['VALID_CHANNEL_OPENING', 'CHANNEL_MONITORING_FINISHED'],
    failed: ['SELLER_REJECTED', 'BUYER_FAILED_TO_PAY', 'SELLER_FAILED_TO_OPEN_CHANNEL'],
    maxInFlightSteps: 3,
  },
  miraclecash: { inFlight: ['pending'], succeeded: ['successful'], failed: ['unsuccessful', 'expired', 'cancelled'], maxInFlightSteps: 2 },
  ozzobit: { inFlight: ['PROCESSING', 'PENDING_DELIVERY'], succeeded: ['COMPLETED'], failed: ['FAILED', 'CANCELLED'], maxInFlightSteps: 2 },
  // Deposit-stage statuses only, with a deposit window of seconds: the adapter then polls a second
  // after the expiry (with pushes every 10 s once overdue, instead of the 20–30 s of the later stages).
  houdini: {
    inFlight: ['NEW', 'WAITING'],
    succeeded: ['FINISHED'],
    failed: ['FAILED', 'REFUNDED', 'EXPIRED'],
    maxInFlightSteps: 2,
    scriptExtras: { depositWindowMs: 4 * SECOND },
  },
};

/** How an order is played and what it must end as. */
type OrderKind =
  | 'succeeds'
  | 'fails'
  | 'times_out'
  /** Never ends at the provider; stopped by the `cancel` signal. */
  | 'cancelled_by_signal'
  /** Succeeds; tracked twice at the same moment. */
  | 'tracked_twice'
  /** Succeeds; a Temporal cancel request is sent while its callback is being delivered. */
  | 'temporal_cancel_in_fulfilment';

const EXPECTED: Record<OrderKind, Outcome> = {
  succeeds: 'succeeded',
  fails: 'failed',
  times_out: 'timed_out',
  cancelled_by_signal: 'tracking_cancelled',
  tracked_twice: 'succeeded',
  temporal_cancel_in_fulfilment: 'succeeded',
};

interface PlannedOrder {
  provider: ProviderName;
  orderId: string;
  kind: OrderKind;
  expected: Outcome;
  script: OrderScript;
  maxWaitMs: number;
  /** Milliseconds after the run's start. */
  startAt: number;
  /** For cancelled_by_signal: milliseconds after the order's start. */
  cancelAfterMs?: number;
  /** The receiver answers this order's first delivery with 503, so its callback is retried. */
  flakyCallback: boolean;
}

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
   * (scripts/temporal-cluster.ts), restarted as a whole process on its database.
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
}

/** The window the request budget is checked over. */
export const BUDGET_WINDOW_MS = 5 * SECOND;

export interface CrashTestReport {
  ledger: 'sqlite' | 'postgres';
  temporal: 'dev' | 'cluster';
  workers: number;
  requestsPerSecond: number;
  budget: BudgetReport[];
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

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)] as T;
}

function between(rand: () => number, low: number, high: number): number {
  return Math.round(low + rand() * (high - low));
}

function inFlightSteps(rand: () => number, profile: ProviderProfile, count: number): Step[] {
  return Array.from({ length: count }, (_, index) => ({
    status: profile.inFlight[Math.min(index, profile.inFlight.length - 1)] as string,
    durationMs: between(rand, 2 * SECOND, 5 * SECOND),
  }));
}

/** Providers whose simulator pushes every status, the first one included, to the ingress. */
const PUSHING_PROVIDERS: readonly ProviderName[] = ['ozzobit', 'houdini'];

/**
 * `withPushes`: an ingress runs. A simulator's first push may then start tracking before the test's
 * `track` does (an early push starts tracking, as it should), and `track` returns that running order
 * without its max wait: so the orders that must time out after their short max wait are only of
 * providers that do not push.
 */
function planOrders(count: number, providers: ProviderName[], windowMs: number, runId: string, rand: () => number, withPushes = false): PlannedOrder[] {
  const twice = Math.max(2, Math.round(count * 0.05));
  const specials: OrderKind[] = [
    'temporal_cancel_in_fulfilment',
    ...Array<OrderKind>(twice).fill('tracked_twice'),
    'succeeds', 'fails', 'times_out', 'cancelled_by_signal',
  ];
  const weighted: [OrderKind, number][] = [['succeeds', 0.4], ['fails', 0.25], ['times_out', 0.15], ['cancelled_by_signal', 0.2]];
  const kinds: OrderKind[] = specials.slice(0, count);
  while (kinds.length < count) {
    let roll = rand();
    const kind = weighted.find(([, weight]) => (roll -= weight) < 0)?.[0] ?? 'succeeds';
    kinds.push(kind);
  }
  // Shuffle so the special orders start at random moments too.
  for (let index = kinds.length - 1; index > 0; index -= 1) {
    const other = Math.floor(rand() * (index + 1));
    [kinds[index], kinds[other]] = [kinds[other] as OrderKind, kinds[index] as OrderKind];
  }
  const quiet = providers.filter((provider) => !PUSHING_PROVIDERS.includes(provider));
  const orders = kinds.map((kind, index): PlannedOrder => {
    const provider = (withPushes && kind === 'times_out' && quiet.length > 0 ? quiet[index % quiet.length] : providers[index % providers.length]) as ProviderName;
    const profile = PROFILES[provider];
    const orderId = `crash-${runId}-${String(index).padStart(4, '0')}`;
    const steps = inFlightSteps(rand, profile, between(rand, 0, profile.maxInFlightSteps));
    let maxWaitMs = 30 * 60 * SECOND;
    let cancelAfterMs: number | undefined;
    switch (EXPECTED[kind]) {
      case 'succeeded':
        steps.push({ status: pick(rand, profile.succeeded) });
        break;
      case 'failed':
        steps.push({ status: pick(rand, profile.failed) });
        break;
      case 'timed_out':
        // Never settles: only the (short) max wait can end it, however late the polls come.
        steps.push({ status: pick(rand, profile.inFlight) });
        maxWaitMs = between(rand, 8 * SECOND, 20 * SECOND);
        break;
      case 'tracking_cancelled':
        steps.push({ status: pick(rand, profile.inFlight) });
        cancelAfterMs = between(rand, 2 * SECOND, 12 * SECOND);
        break;
    }
    return {
      provider,
      orderId,
      kind,
      expected: EXPECTED[kind],
      script: { ...profile.scriptExtras, id: orderId, steps },
      maxWaitMs,
      startAt: Math.round(rand() * windowMs),
      cancelAfterMs,
      flakyCallback: kind !== 'temporal_cancel_in_fulfilment' && rand() < 0.2,
    };
  });
  return orders.sort((a, b) => a.startAt - b.startAt);
}

const READY_PATTERNS = {
  worker: /order-tracker worker(: task queue| running)|Worker state changed.{0,80}RUNNING/,
  ingress: /order-tracker ingress running/,
} as const;

/** A worker (or the ingress) as a child process, restarted after every kill and after any exit of its own. */
export class WorkerSupervisor {
  private child: ChildProcess | undefined;
  /** Whether the current child printed that it runs. */
  private isReady = false;
  private expectedExit = new WeakSet<ChildProcess>();
  private stopping = false;
  starts = 0;
  readonly unexpectedExits: string[] = [];

  constructor(
    private readonly environment: NodeJS.ProcessEnv,
    private readonly workDir: string,
    private readonly log: (line: string) => void,
    /** Names its log files and messages, e.g. `worker` or `worker-b`. */
    private readonly label = 'worker',
    private readonly command: keyof typeof READY_PATTERNS = 'worker',
  ) {}

  start(): void {
    this.starts += 1;
    const number = this.starts;
    const name = `${this.label}-${String(number).padStart(2, '0')}`;
    const output: WriteStream = createWriteStream(join(this.workDir, `${name}.log`));
    // Output can still arrive after 'exit' ended the file: never let that fail the run.
    output.on('error', () => undefined);
    const child = spawn(process.execPath, [CLI, this.command], { cwd: PROJECT_ROOT, env: this.environment, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.isReady = false;
    let recent = '';
    const watch = (chunk: Buffer) => {
      if (!output.writableEnded) output.write(chunk);
      if (this.isReady || this.child !== child) return;
      // The worker's "running" line (plain or JSON log), or the SDK's own state change.
      recent = (recent + chunk.toString('utf8')).slice(-4_000);
      if (READY_PATTERNS[this.command].test(recent)) this.isReady = true;
    };
    child.stdout?.on('data', watch);
    child.stderr?.on('data', watch);
    child.once('exit', (code, signal) => {
      output.end(`\n[crash-test] ${name} exited with ${signal ?? `code ${code}`}\n`);
      if (this.expectedExit.has(child) || this.stopping) return;
      const reason = `${name} (pid ${child.pid}) exited by itself with ${signal ?? `code ${code}`} (see ${name}.log)`;
      this.unexpectedExits.push(reason);
      this.log(`${reason}; starting another`);
      if (this.child === child) this.start();
    });
  }

  /** Resolves when the current worker printed that it runs; throws after `timeoutMs`. */
  async ready(timeoutMs = 90 * SECOND): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.isReady) {
      if (Date.now() > deadline) {
        const exits = this.unexpectedExits.length > 0 ? `; ${this.unexpectedExits.slice(-3).join('; ')}` : '';
        throw new Error(`${this.label} ${this.starts} did not start within ${timeoutMs / SECOND} s (logs in ${this.workDir})${exits}`);
      }
      await sleep(100);
    }
  }

  /** SIGKILL now (synchronously: the signal is sent before this returns). */
  killNow(): ChildProcess | undefined {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return undefined;
    this.expectedExit.add(child);
    child.kill('SIGKILL');
    return child;
  }

  /** Waits for a killed worker to be gone, then starts the next one. */
  async restartAfter(child: ChildProcess | undefined): Promise<void> {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
    }
    this.start();
  }

  /** Graceful stop (SIGTERM, then SIGKILL after 10 s). */
  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10 * SECOND);
    await exited;
    clearTimeout(timer);
  }
}

/** Ledger rows straight from the database (not through the Ledger API, which hides nothing but is per order). */
interface LedgerReader {
  rows(): Promise<{ order_key: string; outcome: string; final: boolean; callback: string }[]>;
  pendingCallbacks(): Promise<number>;
  close(): Promise<void>;
}

function ledgerReader(databaseUrl: string): LedgerReader {
  if (databaseUrl.startsWith('sqlite:')) {
    const database = new Database(databaseUrl.slice('sqlite:'.length), { fileMustExist: true });
    database.pragma('busy_timeout = 5000');
    const all = database.prepare<[], { order_key: string; outcome: string; final: number; callback: string }>(
      'SELECT order_key, outcome, final, callback FROM order_outcomes',
    );
    const pending = database.prepare<[], { count: number }>("SELECT count(*) AS count FROM order_outcomes WHERE callback = 'pending'");
    return {
      rows: async () => all.all().map((row) => ({ ...row, final: row.final === 1 })),
      pendingCallbacks: async () => pending.get()?.count ?? 0,
      close: async () => {
        database.close();
      },
    };
  }
  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  // This process's own connections die in a database blip too; a query after it reconnects.
  pool.on('error', () => undefined);
  return {
    rows: async () => (await pool.query('SELECT order_key, outcome, final, callback FROM order_outcomes')).rows,
    pendingCallbacks: async () =>
      Number((await pool.query("SELECT count(*) AS count FROM order_outcomes WHERE callback = 'pending'")).rows[0]?.count ?? 0),
    close: () => pool.end(),
  };
}

/** The server is restarting (gRPC UNAVAILABLE, refused or reset connections), looking through causes. */
function isTransient(error: unknown): boolean {
  const texts: string[] = [];
  for (let current: unknown = error, depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (code === 14 || code === 4) return true; // UNAVAILABLE, DEADLINE_EXCEEDED
    texts.push(typeof message === 'string' ? message : String(current));
    current = cause;
  }
  return /\bUNAVAILABLE\b|ECONNREFUSED|ECONNRESET|DEADLINE_EXCEEDED|No connection established|Connection dropped/i.test(texts.join(' | '));
}

/** A client call that may meet the dev server while it restarts: retried for up to a minute. */
async function retrying<T>(what: string, call: () => Promise<T>, timeoutMs = 60 * SECOND): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!isTransient(error) || Date.now() > deadline) throw new Error(`${what}: ${String(error)}`);
      await sleep(250);
    }
  }
}

/** The worker's `application_name` on the PostgreSQL ledger: how a blip finds its connections. */
const WORKER_APPLICATION_NAME = 'crash-test-worker';

/**
 * The Idempotency-Key without the record's time a non-final outcome's key carries
 * (`<provider>:<orderId>:<outcome>[:<occurredAt>]`).
 */
function logicalKey(idempotencyKey: string): string {
  return idempotencyKey.replace(/:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, '');
}

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

/** The most entries of `times` (sorted) in any window of `windowMs` that starts at one of them. */
export function busiestWindow(times: readonly number[], windowMs: number): number {
  let most = 0;
  for (let start = 0, end = 0; start < times.length; start += 1) {
    while (end < times.length && (times[end] as number) < (times[start] as number) + windowMs) end += 1;
    most = Math.max(most, end - start);
  }
  return most;
}

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

    // --- bounded wait for every workflow to close --------------------------------------------------
    const settleTimeoutMs = options.settleTimeoutMs ?? 180 * SECOND;
    const settleDeadline = Date.now() + settleTimeoutMs;
    const open = new Set(orders.filter((order) => started.has(order.orderId)).map((order) => order.orderId));
    const closedStatus = new Map<string, string>();
    const planned = new Map(orders.map((order) => [order.orderId, order]));
    let lastReport = Date.now();
    while (open.size > 0 && Date.now() < settleDeadline) {
      const batch = [...open];
      for (let offset = 0; offset < batch.length; offset += 25) {
        await Promise.all(
          batch.slice(offset, offset + 25).map(async (orderId) => {
            const order = planned.get(orderId) as PlannedOrder;
            try {
              const description = await client.workflow.getHandle(orderWorkflowId(order.provider, orderId)).describe();
              if (description.status.name !== 'RUNNING') {
                open.delete(orderId);
                closedStatus.set(orderId, description.status.name);
              }
            } catch (error) {
              if (error instanceof WorkflowNotFoundError) {
                open.delete(orderId);
                closedStatus.set(orderId, 'NOT_FOUND');
              }
            }
          }),
        );
      }
      if (open.size > 0) {
        if (Date.now() - lastReport >= 5 * SECOND) {
          lastReport = Date.now();
          log(`${open.size} order(s) still running: ${[...open].slice(0, 5).join(', ')}${open.size > 5 ? ', …' : ''}`);
        }
        await sleep(SECOND);
      }
    }
    let ordersStuck = 0;
    for (const orderId of open) {
      ordersStuck += 1;
      const order = planned.get(orderId) as PlannedOrder;
      let evidence = '';
      try {
        const handle = client.workflow.getHandle(orderWorkflowId(order.provider, orderId));
        const description = await handle.describe();
        const time = (stamp: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
          stamp?.seconds == null ? '-' : new Date(Number(stamp.seconds) * 1000 + Math.floor((stamp.nanos ?? 0) / 1e6)).toISOString();
        const pending = (description.raw.pendingActivities ?? []).map((activity) =>
          [
            `${activity.activityType?.name} attempt ${activity.attempt}`,
            `scheduled ${time(activity.scheduledTime)}`,
            `started ${time(activity.lastStartedTime)} by ${activity.lastWorkerIdentity || '-'}`,
            activity.lastFailure?.message ?? '',
          ].join(' ').trim(),
        );
        const progress = await handle.query<{ status: string | null; outcome: string | null; fulfilment: unknown }>('progress');
        evidence = `status ${progress.status}, outcome ${progress.outcome}, fulfilment ${JSON.stringify(progress.fulfilment)}, pending activities [${pending.join('; ')}]`;
      } catch (error) {
        evidence = `(could not describe it: ${String(error)})`;
      }
      problem(`stuck: ${order.provider}:${orderId} (${order.kind}) still running ${settleTimeoutMs / SECOND} s after the last start: ${evidence}`);
    }

    // --- verification ------------------------------------------------------------------------
    for (const [orderId, status] of closedStatus) {
      const order = planned.get(orderId) as PlannedOrder;
      if (status !== 'COMPLETED') {
        problem(`${order.provider}:${orderId} (${order.kind}) closed as ${status}, not COMPLETED`);
        continue;
      }
      const result = await retrying(`result of ${orderId}`, () => tracker.result(order.provider, orderId));
      if (result.outcome !== order.expected) problem(`${order.provider}:${orderId} (${order.kind}) ended ${result.outcome}, expected ${order.expected}`);
    }

    // Each fulfilment step scheduled once per order (retries are attempts of that one activity),
    // and how many steps a kill made Temporal run again. An order can have more than one run: a push
    // that passed the ingress's ledger check just before the outcome was recorded starts a run after
    // the first closed, which finds the outcome in the ledger and delivers nothing. So: in each run
    // every step at most once, and over the order's runs one delivery and one hook.
    const FULFILMENT_STEPS = ['recordOutcome', 'deliverCallback', 'runHook'] as const;
    const stepsRetried: Record<string, number> = { pollOrder: 0, recordOutcome: 0, deliverCallback: 0, runHook: 0 };
    const closedIds = [...closedStatus.keys()];
    for (let offset = 0; offset < closedIds.length; offset += 20) {
      await Promise.all(
        closedIds.slice(offset, offset + 20).map(async (orderId) => {
          const order = planned.get(orderId) as PlannedOrder;
          const workflowId = orderWorkflowId(order.provider, orderId);
          const runIds = await retrying(`runs of ${orderId}`, async () => {
            const ids: string[] = [];
            for await (const execution of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) ids.push(execution.runId);
            return ids.length > 0 ? ids : [undefined];
          });
          const total: Record<string, number> = {};
          for (const runId of runIds) {
            const history = await retrying(`history of ${orderId}`, () => client.workflow.getHandle(workflowId, runId).fetchHistory());
            const typeOf = new Map<string, string>();
            const scheduled: Record<string, number> = {};
            for (const event of history.events ?? []) {
              const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
              if (name) {
                typeOf.set(String(event.eventId), name);
                scheduled[name] = (scheduled[name] ?? 0) + 1;
              }
              const started = event.activityTaskStartedEventAttributes;
              if (started && (started.attempt ?? 1) > 1) {
                const type = typeOf.get(String(started.scheduledEventId)) ?? 'unknown';
                stepsRetried[type] = (stepsRetried[type] ?? 0) + 1;
              }
            }
            for (const step of FULFILMENT_STEPS) {
              if ((scheduled[step] ?? 0) > 1) problem(`${order.provider}:${orderId}: ${step} scheduled ${scheduled[step]} times in run ${runId ?? 'latest'}`);
              total[step] = (total[step] ?? 0) + (scheduled[step] ?? 0);
            }
          }
          if ((total.recordOutcome ?? 0) < 1) problem(`${order.provider}:${orderId}: recordOutcome never scheduled`);
          for (const step of ['deliverCallback', 'runHook'] as const) {
            if ((total[step] ?? 0) !== 1) problem(`${order.provider}:${orderId}: ${step} scheduled ${total[step] ?? 0} times over ${runIds.length} run(s), not once`);
          }
        }),
      );
    }

    const rows = (await reader.rows()).filter((row) => ofThisRun(row.order_key));
    const rowsByKey = new Map<string, (typeof rows)[number][]>();
    for (const row of rows) rowsByKey.set(row.order_key, [...(rowsByKey.get(row.order_key) ?? []), row]);
    let ordersLost = 0;
    for (const order of orders) {
      const key = `${order.provider}:${order.orderId}`;
      const found = rowsByKey.get(key) ?? [];
      rowsByKey.delete(key);
      if (found.length === 0) {
        ordersLost += 1;
        problem(`lost: ${key} (${order.kind}) has no ledger row`);
        continue;
      }
      if (found.length > 1) problem(`${key} has ${found.length} ledger rows`);
      const row = found[0] as (typeof rows)[number];
      if (row.outcome !== order.expected) problem(`${key} (${order.kind}): ledger says ${row.outcome}, expected ${order.expected}`);
      const final = order.expected === 'succeeded' || order.expected === 'failed';
      if (row.final !== final) problem(`${key}: ledger row final=${row.final}, expected ${final}`);
      if (row.callback !== 'delivered') problem(`${key}: ledger callback state ${row.callback}, expected delivered`);
    }
    for (const [key, extra] of rowsByKey) problem(`unexpected ledger row ${key} (outcome ${JSON.stringify(extra[0]?.outcome)})`);

    const expectedKeys = new Set(orders.map((order) => `${order.provider}:${order.orderId}:${order.expected}`));
    const processedKeys = receiver.processed().filter(ofThisRun);
    for (const key of processedKeys) {
      const outcome = logicalKey(key).split(':').at(-1);
      const final = outcome === 'succeeded' || outcome === 'failed';
      if (final !== (logicalKey(key) === key)) problem(`callback key ${key}: a non-final outcome's key carries its record's time, a final one's does not`);
    }
    // Each order is recorded once here, so its logical key (without the record's time) is unique too.
    const processed = processedKeys.map(logicalKey);
    for (const key of processed) if (!expectedKeys.has(key)) problem(`unexpected callback processed: ${key}`);
    const processedSet = new Set(processed);
    for (const key of expectedKeys) if (!processedSet.has(key)) problem(`callback never processed: ${key}`);
    if (processedSet.size !== processed.length) problem('a key was processed twice by the receiver');
    const badSignatures = receiver.received.filter((delivery) => !delivery.signatureValid).length;
    // The provider-wide budget, from what each simulator received (not from the tracker's account).
    const budget: BudgetReport[] = [];
    for (const provider of tracked) {
      const times = (await simulators.requests(provider)).map((entry) => entry.at).filter((at) => at >= runStart).sort((a, b) => a - b);
      const entry: BudgetReport = {
        provider,
        requests: times.length,
        windowMs: BUDGET_WINDOW_MS,
        busiest: busiestWindow(times, BUDGET_WINDOW_MS),
        busiest30s: busiestWindow(times, 30 * SECOND),
        limit: (requestsPerSecond * BUDGET_WINDOW_MS) / SECOND + 1,
      };
      budget.push(entry);
      if (entry.busiest > entry.limit) {
        problem(`${provider} received ${entry.busiest} requests in ${BUDGET_WINDOW_MS / SECOND} s, over its budget of ${requestsPerSecond}/s (at most ${entry.limit})`);
      }
    }
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
    `  request budget:         ${report.requestsPerSecond}/s per provider; busiest ${BUDGET_WINDOW_MS / SECOND} s window (at most ${(report.requestsPerSecond * BUDGET_WINDOW_MS) / SECOND + 1}): ${report.budget.map((entry) => `${entry.provider} ${entry.busiest} of ${entry.requests} requests`).join(', ')}; busiest 30 s window (budget × 30 = ${report.requestsPerSecond * 30}): ${report.budget.map((entry) => `${entry.provider} ${entry.busiest30s}`).join(', ')}`,
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
  'use --orders N --kills N [--ledger sqlite|postgres] [--server-restarts N] [--database-blips N] [--temporal dev|cluster] [--workers N] [--ingress] [--requests-per-second N] [--seed N] [--settle-timeout S] [--worker-env NAME=VALUE] [--keep] [--quiet]';

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
  const optional = {
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
