import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Ledger } from '../../storage/ledger/ledger';
import { OrderTracker } from '../../client/order-tracker';
import { startMagmaSandbox, type MagmaSandbox } from '../../sandbox/magma';
import { cleanEnvironment } from '../../harness/cli-process';
import { createDevEnvironment } from './environments';
import { startWorkers } from './running-workers';
import { magmaProviders, temporaryLedger } from './worker-stack';

/** What the CLI tests run against: a dev server, the Magma simulator, workers and a ledger file. */
export interface MagmaCliStack {
  environment: TestWorkflowEnvironment;
  sandbox: MagmaSandbox;
  ledger: Ledger;
  tracker: OrderTracker;
  /** The environment a spawned `order-tracker` needs to reach the same server, queue and ledger. */
  cliEnvironment: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export async function startMagmaCliStack(apiKey: string, taskQueue: string): Promise<MagmaCliStack> {
  const environment = await createDevEnvironment();
  const sandbox = await startMagmaSandbox({ apiKey });
  const temporary = await temporaryLedger();
  const ledger = temporary.ledger;
  const workers = await startWorkers({ connection: environment.nativeConnection, taskQueue, providers: magmaProviders(sandbox.url, apiKey), ledger });
  return {
    environment,
    sandbox,
    ledger,
    tracker: new OrderTracker({ client: environment.client, taskQueue, ledger }),
    cliEnvironment: cleanEnvironment({
      TEMPORAL_ADDRESS: environment.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      DATABASE_URL: `sqlite:${temporary.file}`,
      MAGMA_URL: sandbox.url,
      MAGMA_API_KEY: apiKey,
    }),
    async stop() {
      try {
        await workers.stop();
      } finally {
        await sandbox.close();
        await ledger.close();
        await environment.teardown();
      }
    },
  };
}
