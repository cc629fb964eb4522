/**
 * Runs the Temporal CLI dev server (a real Temporal server with SQLite persistence and the Web UI)
 * as a child process, for `order-tracker dev` and for integration tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { Connection } from '@temporalio/client';
import { registerSearchAttributes } from '../common/register-search-attributes';
import { SINGLE_PARTITION_ARGS, SQLITE_WAL_ARGS, acceptsConnections, listensOn, temporalCliPath } from '../common/temporal-servers';

export interface DevServerOptions {
  /** SQLite file holding the server's state across restarts; its directory is created. */
  dbFile: string;
  /** gRPC frontend port. */
  port: number;
  /** Web UI port. */
  uiPort: number;
  /** Namespace created at start (in addition to `default`) and given our search attributes. */
  namespace: string;
  /** Address to bind; 127.0.0.1 unless you mean to expose the server. */
  ip?: string;
  /** Receives every line the server prints (stdout and stderr). */
  log?: (line: string) => void;
  /** The Web UI's codec endpoint (`--ui-codec-endpoint`): `order-tracker codec-server`'s address. */
  uiCodecEndpoint?: string;
}

export interface DevServer {
  /** host:port of the gRPC frontend, for `Connection.connect({ address })`. */
  address: string;
  uiUrl: string;
  /** The server process (a test stops it with SIGSTOP to play a hung server). */
  pid: number;
  /** Stops the server: SIGTERM, then SIGKILL if it has not exited after a few seconds. */
  stop(): Promise<void>;
  /** Kills the server at once (SIGKILL), as a crash would; resolves when it has exited. */
  kill(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
/** How many of the server's last stderr lines an error message quotes. */
const STDERR_TAIL_LINES = 20;

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const ip = options.ip ?? '127.0.0.1';
  await assertPortFree(options.port, ip, 'gRPC');
  await assertPortFree(options.uiPort, ip, 'Web UI');
  mkdirSync(path.dirname(path.resolve(options.dbFile)), { recursive: true });

  const args = [
    'server', 'start-dev',
    '--ip', ip,
    '--port', String(options.port),
    '--ui-port', String(options.uiPort),
    '--db-filename', options.dbFile,
    '--namespace', options.namespace,
    '--log-level', 'warn',
    ...SINGLE_PARTITION_ARGS,
    ...SQLITE_WAL_ARGS,
    ...(options.uiCodecEndpoint === undefined ? [] : ['--ui-codec-endpoint', options.uiCodecEndpoint]),
  ];
  const child = spawn(temporalCliPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderrTail: string[] = [];
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(`could not be run: ${error.message}`));
    child.once('exit', (code, signal) => resolve(`exited with ${signal ?? `code ${code}`}`));
  });
  forwardLines(child, stderrTail, options.log);

  const address = `${ip}:${options.port}`;
  const server: DevServer = { address, uiUrl: `http://${ip}:${options.uiPort}`, pid: child.pid as number, stop: () => stopProcess(child), kill: () => stopProcess(child, 'SIGKILL') };
  try {
    const connection = await waitForConnection(address, child.pid as number, exited, stderrTail);
    try {
      await registerSearchAttributes(connection, options.namespace);
    } finally {
      await connection.close();
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** Whether nothing listens on `port` at `host` (a bind attempt, so it also sees other users' sockets). */
export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  const probe = net.createServer();
  return new Promise<boolean>((resolve, reject) => {
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(false);
      else reject(error);
    });
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

/** Checked up front because the CLI's own message for a taken port is buried in its logs. */
async function assertPortFree(port: number, ip: string, purpose: string): Promise<void> {
  if (!(await isPortFree(port, ip))) {
    throw new Error(`Cannot start the Temporal dev server: port ${port} (${purpose}) on ${ip} is already in use`);
  }
}

function forwardLines(child: ChildProcess, stderrTail: string[], log?: (line: string) => void): void {
  // stdout must be read even without a logger, or a full pipe would block the server.
  if (child.stdout) readline.createInterface({ input: child.stdout }).on('line', (line) => log?.(line));
  if (child.stderr) {
    readline.createInterface({ input: child.stderr }).on('line', (line) => {
      stderrTail.push(line);
      if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
      log?.(line);
    });
  }
}

async function waitForConnection(address: string, pid: number, exited: Promise<string>, stderrTail: string[]): Promise<Connection> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let exitReason: string | undefined;
  void exited.then((reason) => (exitReason = reason));
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (exitReason !== undefined) throw startupError(`the server process ${exitReason}`, stderrTail);
    try {
      // Wait for the port first: a gRPC connect attempt before the server listens would sit out
      // grpc-js's 1 s reconnect backoff. Connection.connect then checks with GetSystemInfo.
      // And it must be our server that listens: another process may have taken the port since we checked it.
      if ((await acceptsConnections(address)) && listensOn(pid, Number(address.slice(address.lastIndexOf(':') + 1)))) {
        return await Connection.connect({ address, connectTimeout: '2s' });
      }
    } catch (error) {
      lastError = error;
    }
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 50))]);
  }
  const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw startupError(`no answer at ${address} within ${STARTUP_TIMEOUT_MS / 1000} s${reason}`, stderrTail);
}

function startupError(reason: string, stderrTail: string[]): Error {
  const tail = stderrTail.length > 0 ? `\nLast server output:\n${stderrTail.join('\n')}` : '';
  return new Error(`Temporal dev server did not start: ${reason}${tail}`);
}

async function stopProcess(child: ChildProcess, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
  const running = child.pid !== undefined && child.exitCode === null && child.signalCode === null;
  if (!running) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}
