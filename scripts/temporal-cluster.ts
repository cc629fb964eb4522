/**
 * A real Temporal cluster on this machine (issue 16): the multi-service server
 * (`go.temporal.io/server/cmd/server`, built by scripts/get-temporal-server.sh) with its four
 * services (frontend, history, matching, worker) in one process, PostgreSQL for persistence and SQL
 * visibility (a throwaway cluster from test/helpers/postgres.ts), 4 history shards and the default
 * 4 task queue partitions — except on the providers' poll task queues, which get one partition (see
 * `pollQueueDynamicConfig`).
 *
 *   npm run cluster            # prints TEMPORAL_ADDRESS=… and runs until Ctrl-C / SIGTERM
 *
 * Schema: temporal-sql-tool create-database, setup-schema -v 0.0, update-schema -d <versioned dir>,
 * for the `temporal` and `temporal_visibility` databases, exactly as the admin-tools container of
 * docker-compose.yml does it. Then the `default` namespace is registered and the order search
 * attributes are added through the operator API.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Connection, isGrpcServiceError } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { loadConfig } from '../common/config';
import { registerSearchAttributes } from '../common/register-search-attributes';
import { startPostgresCluster, type PostgresCluster } from '../test/helpers/postgres';
import { pollTaskQueue } from '../domain/ids';
import { PROVIDER_NAMES } from '../domain/types';

const run = promisify(execFile);
const BUILD_SCRIPT = resolve(__dirname, 'get-temporal-server.sh');
/** The first build compiles the whole server (minutes on two cores); later calls return at once. */
const BUILD_TIMEOUT_MS = 40 * 60_000;
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 20_000;
const SECOND = 1_000;

export const HISTORY_SHARDS = 4;
/** The server's default; written into the dynamic config so the figure is explicit. */
export const TASK_QUEUE_PARTITIONS = 4;
/**
 * Partitions of each provider's poll task queue. The server splits a queue's
 * `maxTaskQueueActivitiesPerSecond` evenly over its partitions, each with its own limiter, and
 * Temporal documents the limit as accurate only above ~0.5 tasks/s per partition: a budget of
 * 1–2 requests/s over 4 partitions is 0.25–0.5/s each, where a partition's burst lets more through.
 * One partition keeps the provider's budget one exact limiter; the main queue keeps its 4.
 */
export const POLL_QUEUE_PARTITIONS = 1;

export interface TemporalClusterOptions {
  namespace?: string;
  /** The project's TEMPORAL_TASK_QUEUE: its poll queues get POLL_QUEUE_PARTITIONS. */
  taskQueue?: string;
  /** Partitions of the poll queues (default POLL_QUEUE_PARTITIONS). */
  pollQueuePartitions?: number;
  log?: (line: string) => void;
  /** Keep the work folder (config, server log) after stop. */
  keepWorkDir?: boolean;
}

export interface TemporalCluster {
  /** host:port of the frontend (what TEMPORAL_ADDRESS takes). */
  address: string;
  namespace: string;
  /** The PostgreSQL cluster holding persistence and visibility (and free for a ledger database). */
  postgres: PostgresCluster;
  /** Config, dynamic config and the server's log. */
  workDir: string;
  /** Stops the server process (SIGTERM) and starts it again on the same database and ports. */
  restart(): Promise<void>;
  /** Stops the server cleanly, then PostgreSQL, and removes the work folder. */
  stop(): Promise<void>;
}

/** The directory of temporal-server, temporal-sql-tool and schema/ (builds them the first time). */
export async function temporalServerDirectory(log: (line: string) => void = () => undefined): Promise<string> {
  const child = spawn('bash', [BUILD_SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-8_000);
    for (const line of chunk.toString('utf8').split('\n')) if (line.startsWith('get-temporal-server:')) log(line);
  });
  const timer = setTimeout(() => child.kill('SIGTERM'), BUILD_TIMEOUT_MS);
  const code = await new Promise<number | null>((done) => child.once('exit', (exitCode) => done(exitCode)));
  clearTimeout(timer);
  const directory = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0 || directory === '') {
    throw new Error(`scripts/get-temporal-server.sh failed (exit ${code}):\n${stderr.split('\n').slice(-20).join('\n')}`);
  }
  return directory;
}

/**
 * Dynamic config: explicit partition counts, one partition on every provider's poll queue.
 * deploy/dynamicconfig/order-tracker.yaml (docker-compose.yml) is this for `order-tracking`, without
 * the test-only entries; test/unit/compose.test.ts keeps the two equal.
 */
export function dynamicConfigYaml(taskQueue: string, pollQueuePartitions: number, options: { forTests?: boolean } = {}): string {
  const partitionEntries = [
    ...PROVIDER_NAMES.map(
      (provider) => `  - value: ${pollQueuePartitions}\n    constraints:\n      taskQueueName: "${pollTaskQueue(taskQueue, provider)}"`,
    ),
    `  - value: ${TASK_QUEUE_PARTITIONS}`,
  ].join('\n');
  return [
    `matching.numTaskqueueReadPartitions:\n${partitionEntries}`,
    `matching.numTaskqueueWritePartitions:\n${partitionEntries}`,
    // Workflow ids are `order:<provider>:<orderId>` with ids up to 128 characters.
    'limit.maxIDLength:\n  - value: 255',
    // Tests only: search attributes added through the operator API are usable at once (no 60 s cache).
    ...(options.forTests ? ['system.forceSearchAttributesCacheRefreshOnRead:\n  - value: true'] : []),
    '',
  ].join('\n');
}

interface Ports {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
}

/** Ports the server stores in its cluster_membership table, a PostgreSQL smallint: below 32768. */
const PORT_RANGE = { low: 20_000, high: 32_000 } as const;

async function isFree(port: number): Promise<boolean> {
  const server = net.createServer();
  return new Promise((done) => {
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/** Free ports on 127.0.0.1 in PORT_RANGE (the OS hands out ephemeral ports above 32768). */
async function freePorts(): Promise<Ports> {
  const names: (keyof Ports)[] = [
    'frontend', 'frontendHttp', 'frontendMembership', 'history', 'historyMembership',
    'matching', 'matchingMembership', 'worker', 'workerMembership',
  ];
  const ports = {} as Ports;
  const taken = new Set<number>();
  for (const name of names) {
    for (let attempt = 0; ; attempt += 1) {
      if (attempt > 200) throw new Error(`no free port found in ${PORT_RANGE.low}–${PORT_RANGE.high} on 127.0.0.1`);
      const port = PORT_RANGE.low + Math.floor(Math.random() * (PORT_RANGE.high - PORT_RANGE.low));
      if (taken.has(port) || !(await isFree(port))) continue;
      taken.add(port);
      ports[name] = port;
      break;
    }
  }
  return ports;
}

/** The server's static config: postgres12 for the default and visibility stores, services on `ports`. */
export function serverConfigYaml(postgresPort: number, ports: Ports, dynamicConfigFile: string): string {
  const store = (database: string, maxConnections: number) => `
      sql:
        pluginName: "postgres12"
        databaseName: "${database}"
        connectAddr: "127.0.0.1:${postgresPort}"
        connectProtocol: "tcp"
        user: "postgres"
        password: ""
        maxConns: ${maxConnections}
        maxIdleConns: ${maxConnections}
        maxConnLifetime: "1h"`;
  const service = (grpcPort: number, membershipPort: number, extra = '') => `
    rpc:
      grpcPort: ${grpcPort}
      membershipPort: ${membershipPort}
      bindOnIP: "127.0.0.1"${extra}`;
  return `log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: ${HISTORY_SHARDS}
  datastores:
    postgres-default:${store('temporal', 20)}
    postgres-visibility:${store('temporal_visibility', 10)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
services:
  frontend:${service(ports.frontend, ports.frontendMembership, `\n      httpPort: ${ports.frontendHttp}`)}
  matching:${service(ports.matching, ports.matchingMembership)}
  history:${service(ports.history, ports.historyMembership)}
  worker:${service(ports.worker, ports.workerMembership)}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:${ports.frontend}"
dcRedirectionPolicy:
  policy: "noop"
dynamicConfigClient:
  filepath: "${dynamicConfigFile}"
  pollInterval: "10s"
`;
}

/** temporal-sql-tool against one database: create it, set up the base schema, apply every version. */
async function setUpSchema(serverDirectory: string, postgresPort: number, database: string, versionedDirectory: string): Promise<void> {
  const tool = join(serverDirectory, 'temporal-sql-tool');
  const common = ['--plugin', 'postgres12', '--ep', '127.0.0.1', '-p', String(postgresPort), '-u', 'postgres', '--db', database];
  const steps = [
    ['create-database'],
    ['setup-schema', '-v', '0.0'],
    ['update-schema', '-d', join(serverDirectory, 'schema', 'postgresql', 'v12', versionedDirectory, 'versioned')],
  ];
  for (const step of steps) {
    try {
      await run(tool, [...common, ...step], { timeout: 120_000 });
    } catch (error) {
      const failure = error as { stderr?: string; message?: string };
      throw new Error(`temporal-sql-tool ${step[0]} on ${database} failed: ${failure.stderr || failure.message}`);
    }
  }
}

/** Registers the namespace (idempotently) and waits until the frontend serves it. */
async function ensureNamespace(connection: Connection, namespace: string): Promise<void> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return;
  } catch (error) {
    if (!isGrpcServiceError(error) || error.code !== 5 /* NOT_FOUND */) throw error;
  }
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
  } catch (error) {
    if (!isGrpcServiceError(error) || error.code !== 6 /* ALREADY_EXISTS */) throw error;
  }
}

async function untilReady(address: string, namespace: string, server: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(`the Temporal server exited while starting (${server.signalCode ?? `code ${server.exitCode}`}); see ${logFile}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: '2s' });
      try {
        await ensureNamespace(connection, namespace);
        await registerSearchAttributes(connection, namespace);
        // A namespace is served once every service's namespace cache has it: a list call proves it.
        await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await sleep(500);
    }
  }
  throw new Error(`the Temporal server at ${address} was not ready within ${START_TIMEOUT_MS / SECOND} s: ${String(lastError)}; see ${logFile}`);
}

export async function startTemporalCluster(options: TemporalClusterOptions = {}): Promise<TemporalCluster> {
  const log = options.log ?? (() => undefined);
  const namespace = options.namespace ?? 'default';
  const taskQueue = options.taskQueue ?? 'order-tracking';
  const serverDirectory = await temporalServerDirectory(log);
  const workDir = mkdtempSync(join(tmpdir(), 'order-tracker-cluster-'));
  let postgres: PostgresCluster | undefined;
  let server: ChildProcess | undefined;
  const logFile = join(workDir, 'temporal-server.log');

  const startServer = async (): Promise<ChildProcess> => {
    const output = createWriteStream(logFile, { flags: 'a' });
    // A log line after the file closed must never fail the run ("write after end").
    output.on('error', () => undefined);
    const child = spawn(
      join(serverDirectory, 'temporal-server'),
      ['--root', workDir, '--config', 'config', '--env', 'development', '--allow-no-auth', 'start'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // Two sources into one file: neither ends it; the process's close does, after both have drained.
    child.stdout?.pipe(output, { end: false });
    child.stderr?.pipe(output, { end: false });
    child.once('close', () => output.end());
    return child;
  };
  const stopServer = async (): Promise<void> => {
    const child = server;
    server = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };

  try {
    postgres = await startPostgresCluster({ database: 'order_tracker' });
    log(`PostgreSQL on 127.0.0.1:${postgres.port}`);
    await setUpSchema(serverDirectory, postgres.port, 'temporal', 'temporal');
    await setUpSchema(serverDirectory, postgres.port, 'temporal_visibility', 'visibility');
    log('schema set up with temporal-sql-tool (temporal, temporal_visibility)');

    const ports = await freePorts();
    const address = `127.0.0.1:${ports.frontend}`;
    mkdirSync(join(workDir, 'config', 'dynamicconfig'), { recursive: true });
    const dynamicConfigFile = join(workDir, 'config', 'dynamicconfig', 'cluster.yaml');
    writeFileSync(dynamicConfigFile, dynamicConfigYaml(taskQueue, options.pollQueuePartitions ?? POLL_QUEUE_PARTITIONS, { forTests: true }));
    writeFileSync(join(workDir, 'config', 'development.yaml'), serverConfigYaml(postgres.port, ports, dynamicConfigFile));

    server = await startServer();
    await untilReady(address, namespace, server, logFile);
    log(`Temporal server (${HISTORY_SHARDS} history shards, ${TASK_QUEUE_PARTITIONS} task queue partitions) at ${address}`);

    const cluster: TemporalCluster = {
      address,
      namespace,
      postgres,
      workDir,
      restart: async () => {
        await stopServer();
        server = await startServer();
        await untilReady(address, namespace, server, logFile);
      },
      stop: async () => {
        await stopServer();
        await postgres?.stop();
        if (!options.keepWorkDir) rmSync(workDir, { recursive: true, force: true });
      },
    };
    return cluster;
  } catch (error) {
    await stopServer().catch(() => undefined);
    await postgres?.stop().catch(() => undefined);
    log(`work folder kept: ${workDir}`);
    throw error;
  }
}

if (require.main === module) {
  const log = (line: string) => console.error(`cluster: ${line}`);
  let taskQueue: string;
  try {
    // The poll queues given one partition are those of the configured TEMPORAL_TASK_QUEUE.
    taskQueue = loadConfig().taskQueue;
  } catch (error) {
    console.error(`cluster: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
  startTemporalCluster({ log, taskQueue }).then(
    async (cluster) => {
      console.log(`TEMPORAL_ADDRESS=${cluster.address}`);
      console.log(`TEMPORAL_NAMESPACE=${cluster.namespace}`);
      console.log(`DATABASE_URL=postgres://postgres@127.0.0.1:${cluster.postgres.port}/order_tracker`);
      log(`running until Ctrl-C (server log: ${join(cluster.workDir, 'temporal-server.log')})`);
      await new Promise<void>((done) => {
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
      log('stopping the server and PostgreSQL');
      await cluster.stop();
      process.exit(0);
    },
    (error) => {
      console.error(`cluster: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
