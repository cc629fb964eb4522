import type { FulfilmentHooks } from '../activities';
import { openLedger } from '../activities/ledger/open-ledger';
import { connectConnection, connectWorker } from '../client/connect';
import { registerSearchAttributes } from '../common/register-search-attributes';
import { type Config, loadConfig } from '../common/config';
import { activitiesFromConfig } from './activity-dependencies';
import { createWorkers, runWorkers } from './worker';

/**
 * Builds the worker process's parts from configuration and runs them until a signal stops them.
 * Code that embeds the worker passes `hooks` to run its own fulfilment once per outcome.
 */
export async function runWorkerProcess(config: Config, hooks?: FulfilmentHooks): Promise<void> {
  await registerSearchAttributesIfAllowed(config);
  const connection = await connectWorker(config);
  const ledger = await openLedger(config.databaseUrl);
  try {
    if (config.configuredProviders.length === 0) {
      console.warn('order-tracker worker: no provider is configured here; polls wait for a worker that has one');
    }
    const workers = await createWorkers({
      connection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      activities: activitiesFromConfig(config, ledger, hooks),
      providers: config.configuredProviders,
      requestsPerSecond: config.requestsPerSecond,
    });
    console.log(
      `order-tracker worker: task queue ${config.taskQueue}; polling ${config.configuredProviders.join(', ') || 'nothing'}`,
    );
    // The SDK's runtime shuts the workers down on SIGINT/SIGTERM; run() then resolves.
    await runWorkers(workers);
  } finally {
    await ledger.close();
    await connection.close();
  }
}

/**
 * The order search attributes must exist before a workflow upserts them. Registering is idempotent;
 * a cluster that does not allow it (Temporal Cloud keys without admin rights) gets a warning instead.
 */
async function registerSearchAttributesIfAllowed(config: Config): Promise<void> {
  const connection = await connectConnection(config);
  try {
    await registerSearchAttributes(connection, config.namespace);
  } catch (error) {
    console.warn(`order-tracker worker: could not register search attributes (${String(error)}); register OrderProvider, OrderStatus, OrderOutcome as Keyword`);
  } finally {
    await connection.close();
  }
}

export async function runWorker(): Promise<number> {
  await runWorkerProcess(loadConfig());
  return 0;
}
