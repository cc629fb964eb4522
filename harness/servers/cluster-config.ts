/**
 * What the local Temporal cluster (temporal-cluster.ts) is configured with: shards, partitions,
 * the dynamic config (also deploy/dynamicconfig/order-tracker.yaml, kept equal by
 * test/unit/compose.test.ts), the server's static config, the free ports its services take, and the
 * schema and namespace it is set up with.
 */
import { execFile } from 'node:child_process';
import net from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Connection, isGrpcServiceError } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { pollTaskQueue } from '../../domain/ids';
import { PROVIDER_NAMES } from '../../domain/types';

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

export interface Ports {
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
export async function freePorts(): Promise<Ports> {
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

const run = promisify(execFile);

/** temporal-sql-tool against one database: create it, set up the base schema, apply every version. */
export async function setUpSchema(serverDirectory: string, postgresPort: number, database: string, versionedDirectory: string): Promise<void> {
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
export async function ensureNamespace(connection: Connection, namespace: string): Promise<void> {
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
