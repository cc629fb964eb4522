/** A Temporal CLI dev server as a managed child (so its CPU shows), on a fresh SQLite file. */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { registerSearchAttributes } from '../common/register-search-attributes';
import { findFreePort, SINGLE_PARTITION_ARGS, temporalCliPath } from '../common/temporal-servers';
import { ManagedProcess } from './processes';

export interface BenchServer {
  address: string;
  process: ManagedProcess;
}

export async function startBenchServer(workDir: string): Promise<BenchServer> {
  const port = await findFreePort();
  const address = `127.0.0.1:${port}`;
  const server = new ManagedProcess(
    'temporal',
    temporalCliPath(),
    [
      'server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--headless',
      '--db-filename', join(workDir, 'temporal.sqlite'), '--log-level', 'error', ...SINGLE_PARTITION_ARGS,
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
      return { address, process: server };
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`bench Temporal server did not start at ${address}: ${String(error)}`);
      await sleep(200);
    }
  }
}
