/**
 * The Temporal server a crash run plays against, restartable on its database at the same address:
 * the CLI's dev server on a SQLite file, or the real cluster (temporal-cluster.ts: the multi-service
 * server on PostgreSQL), restarted as a whole process.
 */
import { join } from 'node:path';
import { findFreePort } from '../../common/temporal-servers';
import { startDevServer } from '../../workers/dev-server';
import { startTemporalCluster } from './temporal-cluster';

export interface TemporalUnderTest {
  address: string;
  /** What the log calls it. */
  name: string;
  /** The cluster's PostgreSQL, free for the ledger (a database of its own). */
  postgresUrl?: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface TemporalUnderTestOptions {
  kind: 'dev' | 'cluster';
  namespace: string;
  /** Where the dev server keeps its database file. */
  workDir: string;
  /** The cluster's poll queues (of this task queue) get `pollQueuePartitions`. */
  taskQueue: string;
  pollQueuePartitions?: number;
  log: (line: string) => void;
}

export async function startTemporalUnderTest(options: TemporalUnderTestOptions): Promise<TemporalUnderTest> {
  const { namespace, taskQueue, pollQueuePartitions, log } = options;
  if (options.kind === 'cluster') {
    const cluster = await startTemporalCluster({ namespace, taskQueue, pollQueuePartitions, log });
    return {
      address: cluster.address,
      name: 'the Temporal cluster',
      postgresUrl: cluster.postgres.url,
      restart: () => cluster.restart(),
      stop: () => cluster.stop(),
    };
  }
  const serverOptions = { dbFile: join(options.workDir, 'temporal.sqlite'), port: await findFreePort(), uiPort: await findFreePort(), namespace };
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
