/**
 * Where our Temporal server executables come from, and small helpers for running them locally.
 * The executables are obtained (built or fetched once, then cached) by the scripts in scripts/,
 * because the SDK's own download of server binaries cannot work on our machines (docs/operations.md, "Temporal servers").
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const SCRIPTS_DIRECTORY = path.resolve(__dirname, '..', 'scripts');

/**
 * SQLite in write-ahead-log mode with `synchronous=NORMAL` (the SDK's own stress CI runs WAL): the
 * dev server's journal (workers/dev-server.ts) and the benchmark's default. A commit is in the WAL
 * file before the server answers, so a killed server loses nothing (the crash test kills it with
 * SIGKILL and restarts it); only an OS crash or power loss could lose the last commits.
 */
export const SQLITE_WAL_ARGS: readonly string[] = ['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal'];

/**
 * Dev server flags for a single task queue partition, so the server-side task queue rate limits
 * (`maxTaskQueueActivitiesPerSecond`) hold exactly instead of being split across partitions.
 */
export const SINGLE_PARTITION_ARGS: readonly string[] = [
  '--dynamic-config-value',
  'matching.numTaskqueueReadPartitions=1',
  '--dynamic-config-value',
  'matching.numTaskqueueWritePartitions=1',
];

/** Path of the Temporal CLI (dev server); may build it first, which takes minutes. */
export function temporalCliPath(): string {
  return runPathScript('get-temporal-cli.sh');
}

/** Path of the time-skipping test server wrapper; may fetch its jars with Maven first. */
export function testServerPath(): string {
  return runPathScript('get-test-server.sh');
}

/** A TCP port that was free on 127.0.0.1 a moment ago (another process may still take it). */
export async function findFreePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('Could not read the port of a test listener');
  return address.port;
}

/**
 * Whether process `pid` holds the listening TCP socket of `port` (Linux: /proc/net/tcp{,6} and the
 * process's file descriptors; true where there is no /proc). A port from `findFreePort` can be taken
 * by another process before our server binds it: then something accepts connections on it that is
 * not ours, and two test files would share one server (and its clock, for the time-skipping one).
 */
export function listensOn(pid: number, port: number): boolean {
  if (!existsSync('/proc/net/tcp')) return true;
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const columns = line.trim().split(/\s+/);
      if (columns.length > 9 && columns[3] === '0A' && columns[1]?.endsWith(hexPort)) inodes.add(columns[9] as string);
    }
  }
  if (inodes.size === 0) return false;
  let descriptors: string[];
  try {
    descriptors = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  return descriptors.some((descriptor) => {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${descriptor}`))?.[1];
      return inode !== undefined && inodes.has(inode);
    } catch {
      return false;
    }
  });
}

/** Whether something accepts TCP connections at `host:port` now (a server that has started listening). */
export function acceptsConnections(address: string): Promise<boolean> {
  const separator = address.lastIndexOf(':');
  const host = address.slice(0, separator);
  const port = Number(address.slice(separator + 1));
  return new Promise((resolve) => {
    const socket = net.connect({ host, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function runPathScript(scriptName: string): string {
  // The scripts report progress on stderr, which we pass through; stdout is only the path.
  const output = execFileSync('bash', [path.join(SCRIPTS_DIRECTORY, scriptName)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const executablePath = output.trim();
  if (executablePath === '') throw new Error(`scripts/${scriptName} printed no path`);
  return executablePath;
}
