/**
 * A Temporal CLI dev server as a managed child (so its CPU shows), on a fresh SQLite file; or a
 * server already running (`--temporal-address`, e.g. `npm run cluster`), whose CPU shows when its
 * process id is given (`--temporal-pid`).
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { registerSearchAttributes } from '../../common/register-search-attributes';
import { findFreePort, SINGLE_PARTITION_ARGS, SQLITE_WAL_ARGS, temporalCliPath } from '../../common/temporal-servers';
import { SupervisedProcess } from '../process-supervisor';
import { cpuSeconds } from '../process-usage';

/** A server the bench did not start: its frontend, and its process for the CPU figure when known. */
export interface ExistingServer {
  address: string;
  pid?: number;
}

/** What the contenders read of their server's process. */
export interface ServerProcess {
  mark(): void;
  cpuSinceMark(): number;
  stop(): Promise<void>;
}

export interface BenchServer {
  address: string;
  process: ServerProcess;
  /** The server's Prometheus endpoint (the bench's dev servers only). */
  metricsUrl?: string;
}

/** CPU of a server process the bench did not start (0 without a pid); stopping it is its owner's job. */
class ExistingServerProcess implements ServerProcess {
  private cpuAtMark = 0;
  constructor(private readonly pid: number | undefined) {}
  mark(): void {
    this.cpuAtMark = cpuSeconds(this.pid);
  }
  cpuSinceMark(): number {
    return cpuSeconds(this.pid) - this.cpuAtMark;
  }
  async stop(): Promise<void> {}
}

async function existingBenchServer(existing: ExistingServer): Promise<BenchServer> {
  const connection = await Connection.connect({ address: existing.address, connectTimeout: '5s' }).catch((error: unknown) => {
    throw new Error(`--temporal-address ${existing.address}: no Temporal server answers there (${String(error)})`);
  });
  try {
    await registerSearchAttributes(connection, 'default');
  } finally {
    await connection.close();
  }
  return { address: existing.address, process: new ExistingServerProcess(existing.pid) };
}

/** `wal`: SQLITE_WAL_ARGS, as `npm start`'s dev server; `delete`: SQLite's default rollback journal, to compare. */
export type SqliteJournal = 'wal' | 'delete';

export async function startBenchServer(workDir: string, existing?: ExistingServer, journal: SqliteJournal = 'wal'): Promise<BenchServer> {
  if (existing !== undefined) return existingBenchServer(existing);
  const port = await findFreePort();
  const metricsPort = await findFreePort();
  const address = `127.0.0.1:${port}`;
  const server = new SupervisedProcess(
    'temporal',
    temporalCliPath(),
    [
      'server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--headless',
      '--db-filename', join(workDir, 'temporal.sqlite'), '--log-level', 'error', '--metrics-port', String(metricsPort), ...SINGLE_PARTITION_ARGS,
      ...(journal === 'wal' ? SQLITE_WAL_ARGS : []),
    ],
    process.env,
    join(workDir, 'temporal.log'),
  );
  server.start();
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: '1s' });
      try {
        await registerSearchAttributes(connection, 'default');
      } finally {
        await connection.close();
      }
      return { address, process: server, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` };
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`bench Temporal server did not start at ${address}: ${String(error)}`);
      await sleep(200);
    }
  }
}
