/**
 * Temporal test environments built on our own server executables (scripts/), because the SDK's
 * default of downloading a server binary cannot work on our machines (docs/operations.md, "Temporal servers").
 * Both environments have the order search attributes registered.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { registerSearchAttributes } from '../../common/register-search-attributes';
import { acceptsConnections, findFreePort, listensOn, SINGLE_PARTITION_ARGS, temporalCliPath, testServerPath } from '../../common/temporal-servers';

/**
 * The SDK gives a server it starts 5 s to accept connections. A JVM starting while both cores are
 * busy takes longer (CI failed a whole file on it three tries in a row), so we start the Java test
 * server ourselves, wait for it as long as it needs, and hand the SDK a stand-in process that only
 * waits (server-already-running.sh): the SDK finds the port already served and connects.
 */
const TEST_SERVER_READY_TIMEOUT_MS = 120_000;
const ALREADY_RUNNING_STAND_IN = path.join(__dirname, 'server-already-running.sh');

/** Java time-skipping test server: for workflow tests. It has no visibility (list) queries. */
export async function createTimeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  const server = await startTestServer();
  try {
    const environment = await OwnTestServerEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: ALREADY_RUNNING_STAND_IN }, port: server.port },
    });
    (environment as OwnTestServerEnvironment).stopOwnServer = server.stop;
    return await withSearchAttributes(environment, 'default');
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** A time-skipping environment whose teardown also stops the JVM we started for it. */
class OwnTestServerEnvironment extends TestWorkflowEnvironment {
  stopOwnServer: () => Promise<void> = async () => undefined;

  override async teardown(): Promise<void> {
    await super.teardown();
    await this.stopOwnServer();
  }
}

interface RunningTestServer {
  port: number;
  stop(): Promise<void>;
}

/** Tries this many ports: another process can take a free port before the JVM binds it. */
const TEST_SERVER_PORT_TRIES = 3;

async function startTestServer(): Promise<RunningTestServer> {
  for (let attempt = 1; ; attempt += 1) {
    const server = await startTestServerOnce(await findFreePort());
    if (server !== 'port taken') return server;
    if (attempt >= TEST_SERVER_PORT_TRIES) throw new Error(`time-skipping test server: ${TEST_SERVER_PORT_TRIES} free ports were taken by others before it could bind them`);
  }
}

async function startTestServerOnce(port: number): Promise<RunningTestServer | 'port taken'> {
  const child = spawn(testServerPath(), [String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  const deadline = Date.now() + TEST_SERVER_READY_TIMEOUT_MS;
  // Ready when the port accepts connections and it is our JVM that listens (the wrapper execs java).
  while (!((await acceptsConnections(`127.0.0.1:${port}`)) && listensOn(child.pid as number, port))) {
    if (child.exitCode !== null || child.signalCode !== null) {
      // Another server took the port first (ours failed to bind it): try another port.
      if (await acceptsConnections(`127.0.0.1:${port}`)) return 'port taken';
      throw new Error(`time-skipping test server exited before serving port ${port}: ${stderr.trim()}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`time-skipping test server did not serve port ${port} within ${TEST_SERVER_READY_TIMEOUT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { port, stop };
}


/**
 * Temporal CLI dev server (real server, in-memory SQLite, no UI): for integration and visibility
 * tests. With TEMPORAL_ADDRESS set, connects to that server instead of starting one.
 */
export async function createDevEnvironment(): Promise<TestWorkflowEnvironment> {
  const existingAddress = process.env.TEMPORAL_ADDRESS;
  if (existingAddress) {
    const namespace = process.env.TEMPORAL_NAMESPACE || 'default';
    const environment = await TestWorkflowEnvironment.createFromExistingServer({ address: existingAddress, namespace });
    return withSearchAttributes(environment, namespace);
  }
  const environment = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      ip: '127.0.0.1',
      port: await findFreePort(),
      ui: false,
      namespace: 'default',
      extraArgs: [...SINGLE_PARTITION_ARGS],
    },
  });
  return withSearchAttributes(environment, 'default');
}

async function withSearchAttributes(
  environment: TestWorkflowEnvironment,
  namespace: string,
): Promise<TestWorkflowEnvironment> {
  try {
    await registerSearchAttributes(environment.connection, namespace);
    return environment;
  } catch (error) {
    await environment.teardown();
    throw error;
  }
}
