/**
 * Temporal test environments built on our own server executables (scripts/), because the SDK's
 * default of downloading a server binary cannot work on our machines (see DESIGN.md).
 * Both environments have the order search attributes registered.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { registerSearchAttributes } from '../../common/register-search-attributes';
import { findFreePort, SINGLE_PARTITION_ARGS, temporalCliPath, testServerPath } from '../../common/temporal-servers';

/**
 * The SDK gives a server 5 s to accept connections, and a JVM starting while both cores are busy
 * (two jest workers) sometimes takes longer: CI once failed a whole file on it. Try again, on a new port.
 */
const TEST_SERVER_START_ATTEMPTS = 3;

/** Java time-skipping test server: for workflow tests. It has no visibility (list) queries. */
export async function createTimeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const environment = await TestWorkflowEnvironment.createTimeSkipping({
        server: {
          executable: { type: 'existing-path', path: testServerPath() },
          port: await findFreePort(),
        },
      });
      return await withSearchAttributes(environment, 'default');
    } catch (error) {
      const slowStart = /did not start within/.test(String(error));
      if (!slowStart || attempt >= TEST_SERVER_START_ATTEMPTS) throw error;
      console.warn(`time-skipping test server did not start in time (attempt ${attempt}); trying again`);
    }
  }
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
