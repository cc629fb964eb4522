/**
 * What a crash run is asked for: its options, from code (the small run of test/integration/
 * crash.test.ts, the cluster test) or from the command line (`npm run crash-test -- …`).
 */
import { given, oneOf, readArguments, wholeNumber } from '../../common/arguments';
import { InvalidInputError } from '../../common/order-input';
import type { Outcome, ProviderName } from '../../domain/types';

const SECOND = 1_000;

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