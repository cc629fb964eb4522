/**
 * A real Temporal cluster on this machine (issue 16): the multi-service server
 * (`go.temporal.io/server/cmd/server`, built by scripts/get-temporal-server.sh) with its four
 * services (frontend, history, matching, worker) in one process, PostgreSQL for persistence and SQL
 * visibility (a throwaway cluster from postgres.ts beside it), 4 history shards and the default
 * 4 task queue partitions — except on the providers' poll task queues, which get one partition (see
 * `POLL_QUEUE_PARTITIONS` in cluster-config.ts, which also writes the configs).
 *
 *   npm run cluster            # prints TEMPORAL_ADDRESS=… and runs until Ctrl-C / SIGTERM
 *
 * Schema: temporal-sql-tool create-database, setup-schema -v 0.0, update-schema -d <versioned dir>,
 * for the `temporal` and `temporal_visibility` databases, exactly as the admin-tools container of
 * docker-compose.yml does it. Then the `default` namespace is registered and the order search
 * attributes are added through the operator API.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { loadConfig } from '../../common/config';
import { registerSearchAttributes } from '../../common/register-search-attributes';
import { startPostgresCluster, type PostgresCluster } from './postgres';
import { SupervisedProcess } from '../process-supervisor';
import {
  HISTORY_SHARDS,
  POLL_QUEUE_PARTITIONS,
  TASK_QUEUE_PARTITIONS,
  dynamicConfigYaml,
  ensureNamespace,
  freePorts,
  serverConfigYaml,
  setUpSchema,
} from './cluster-config';

export { HISTORY_SHARDS, POLL_QUEUE_PARTITIONS, TASK_QUEUE_PARTITIONS, dynamicConfigYaml } from './cluster-config';

const BUILD_SCRIPT = resolve(__dirname, '..', '..', 'scripts', 'get-temporal-server.sh');
/** The first build compiles the whole server (minutes on two cores); later calls return at once. */
const BUILD_TIMEOUT_MS = 40 * 60_000;
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 20_000;
const SECOND = 1_000;

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

async function untilReady(address: string, namespace: string, server: SupervisedProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const exit = server.exited();
    if (exit !== undefined) throw new Error(`the Temporal server exited while starting (${exit}); see ${logFile}`);
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
  const logFile = join(workDir, 'temporal-server.log');
  const server = new SupervisedProcess(
    'temporal-server',
    join(serverDirectory, 'temporal-server'),
    ['--root', workDir, '--config', 'config', '--env', 'development', '--allow-no-auth', 'start'],
    process.env,
    logFile,
    { stopGraceMs: STOP_TIMEOUT_MS },
  );

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

    server.start();
    await untilReady(address, namespace, server, logFile);
    log(`Temporal server (${HISTORY_SHARDS} history shards, ${TASK_QUEUE_PARTITIONS} task queue partitions) at ${address}`);

    const cluster: TemporalCluster = {
      address,
      namespace,
      postgres,
      workDir,
      restart: async () => {
        await server.stop();
        server.start();
        await untilReady(address, namespace, server, logFile);
      },
      stop: async () => {
        await server.stop();
        await postgres?.stop();
        if (!options.keepWorkDir) rmSync(workDir, { recursive: true, force: true });
      },
    };
    return cluster;
  } catch (error) {
    await server.stop().catch(() => undefined);
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
