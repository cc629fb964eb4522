/**
 * The stack a crash run plays on: the Temporal server under test, the ledger database (a SQLite file,
 * the run's own PostgreSQL, or the cluster's), a callback receiver that verifies signatures and
 * dedupes by Idempotency-Key, the provider simulators (in this process, or `order-tracker sandbox`
 * with an `order-tracker ingress` taking their pushes), the worker environment and the run's client;
 * then the worker processes. Each part, once started, is handed to the run's Teardown.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { OrderTracker } from '../../client/order-tracker';
import { type Config, loadConfig, withoutPushSettings } from '../../common/config';
import { findFreePort } from '../../common/temporal-servers';
import { PROVIDER_NAMES, type ProviderName } from '../../domain/types';
import { openDatabase } from '../../storage/open-database';
import { createProviders } from '../../providers/registry';
import { type CallbackReceiver, startCallbackReceiver } from '../servers/callback-receiver';
import { cleanEnvironment } from '../cli-process';
import { type PostgresCluster, startPostgresCluster } from '../servers/postgres';
import { writeWorkflowBundles } from '../../workers/workflow-bundle';
import { type LedgerReader, ledgerReader } from '../checks/ledger-reader';
import { type SupervisedProcess, cliProcess } from '../process-supervisor';
import { type Simulators, inProcessSimulators, sandboxProcess } from '../servers/simulators';
import { type TemporalUnderTest, startTemporalUnderTest } from '../servers/temporal-under-test';
import type { CrashRun, Teardown } from './crash-run';

export const NAMESPACE = 'default';
/** The worker's `application_name` on the PostgreSQL ledger: how a blip finds its connections. */
export const WORKER_APPLICATION_NAME = 'crash-test-worker';
const CALLBACK_SECRET = `crash-test-${randomBytes(8).toString('hex')}`;

export interface CrashStack {
  server: TemporalUnderTest;
  taskQueue: string;
  ledgerKind: 'sqlite' | 'postgres';
  temporalKind: 'dev' | 'cluster';
  databaseUrl: string;
  /** The run's own PostgreSQL (not the cluster's): the one database blips may hit. */
  postgres: PostgresCluster | undefined;
  receiver: CallbackReceiver;
  simulators: Simulators;
  /** Set when an ingress takes the simulators' pushes. */
  ingressPort: number | undefined;
  workerEnvironment: NodeJS.ProcessEnv;
  config: Config;
  /** Providers both simulated and polled by the worker: the ones the run plays. */
  tracked: ProviderName[];
  reader: LedgerReader;
  client: Client;
  tracker: OrderTracker;
  requestsPerSecond: number;
  workerCount: number;
}

export async function startCrashStack(run: CrashRun, teardown: Teardown): Promise<CrashStack> {
  const { options, runId, workDir, log } = run;
  const ledgerKind = options.ledger ?? 'sqlite';
  const temporalKind = options.temporal ?? 'dev';
  const taskQueue = `crash-${runId}`;
  const server = await startTemporalUnderTest({ kind: temporalKind, namespace: NAMESPACE, workDir, taskQueue, pollQueuePartitions: options.pollQueuePartitions, log });
  teardown.add(() => server.stop());
  log(`${server.name} at ${server.address}`);
  let postgres: PostgresCluster | undefined;
  if (ledgerKind === 'postgres' && server.postgresUrl === undefined) {
    const own = (postgres = await startPostgresCluster({ database: `crash_${runId}` }));
    teardown.add(() => own.stop());
  }
  const databaseUrl = ledgerKind === 'postgres' ? (server.postgresUrl ?? (postgres as PostgresCluster).url) : `sqlite:${join(workDir, 'ledger.sqlite')}`;
  log(`ledger ${ledgerKind}: ${databaseUrl}`);
  const receiver = await startCallbackReceiver(CALLBACK_SECRET);
  teardown.add(() => receiver.close());

  const requestsPerSecond = options.requestsPerSecond ?? 200;
  const ingressPort = options.ingress ? await findFreePort() : undefined;
  const simulators = ingressPort !== undefined
    ? await sandboxProcess(cleanEnvironment({ INGRESS_PORT: String(ingressPort) }), join(workDir, 'sandbox.log'))
    : await inProcessSimulators();
  teardown.add(() => simulators.close());
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
  const tracked = trackedProviders(simulators.providers, config, log);

  const database = await openDatabase(databaseUrl); // creates the tables, so the reader can start at once
  teardown.add(() => database.close());
  const ledger = database.ledger;
  const reader = ledgerReader(database);
  const connection = await Connection.connect({ address: server.address });
  teardown.add(() => connection.close());
  const client = new Client({ connection, namespace: NAMESPACE });
  const tracker = new OrderTracker({ client, taskQueue, ledger });
  const workerCount = Math.max(1, options.workers ?? 1);
  return {
    server, taskQueue, ledgerKind, temporalKind, databaseUrl, postgres, receiver, simulators, ingressPort,
    workerEnvironment, config, tracked, reader, client, tracker, requestsPerSecond, workerCount,
  };
}

function trackedProviders(simulated: ProviderName[], config: Config, log: (line: string) => void): ProviderName[] {
  const adapters = createProviders(config.providers);
  for (const provider of simulated.filter((name) => adapters[name] === undefined)) {
    log(`note: the sandbox offers ${provider} but the worker has no adapter for it yet; its orders are left out`);
  }
  const tracked = simulated.filter((provider) => adapters[provider] !== undefined);
  if (tracked.length === 0) throw new Error('no provider is both simulated by the sandbox stack and polled by the worker');
  log(`providers: ${tracked.join(', ')}`);
  return tracked;
}

export interface CrashProcesses {
  workers: SupervisedProcess[];
  ingress: SupervisedProcess | undefined;
}

/** The worker processes (and the ingress, when the simulators push), each ready. */
export async function startProcesses(run: CrashRun, stack: CrashStack, teardown: Teardown): Promise<CrashProcesses> {
  const { workDir, log } = run;
  const { workerCount, workerEnvironment, ingressPort } = stack;
  const workers = Array.from({ length: workerCount }, (_, index) =>
    cliProcess('worker', { environment: workerEnvironment, workDir, log, label: workerCount === 1 ? 'worker' : `worker-${String.fromCharCode(97 + index)}` }),
  );
  teardown.add(() => Promise.all(workers.map((worker) => worker.stop().catch(() => undefined))));
  for (const worker of workers) worker.start();
  await Promise.all(workers.map((worker) => worker.ready()));
  log(`${workerCount} worker process(es) ready`);
  let ingress: SupervisedProcess | undefined;
  if (ingressPort !== undefined) {
    const started = (ingress = cliProcess('ingress', { environment: workerEnvironment, workDir, log }));
    teardown.add(() => started.stop());
    started.start();
    await started.ready();
    log(`ingress ready on port ${ingressPort}`);
  }
  return { workers, ingress };
}

/** The last worker's metrics, kept in the work folder (when its METRICS_PORT was given). */
export async function saveLastWorkerMetrics(run: CrashRun): Promise<void> {
  const metricsPort = run.options.workerEnvironment?.METRICS_PORT;
  if (metricsPort === undefined) return;
  try {
    const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    writeFileSync(join(run.workDir, 'last-worker-metrics.txt'), await response.text());
  } catch (error) {
    run.log(`could not read the last worker's metrics: ${String(error)}`);
  }
}
