import { Runtime } from '@temporalio/worker';
import type { FulfilmentHooks } from '../activities';
import { openDatabase } from '../storage/open-database';
import { connectClient, connectConnection } from '../client/connect';
import { connectWorker } from './connect-worker';
import { startOrderWatch } from './order-watch';
import { registerSearchAttributes } from '../common/register-search-attributes';
import { type Config, loadConfig } from '../common/config';
import { dataConverterFor } from '../common/encryption-codec';
import { activitiesFromConfig } from './activity-dependencies';
import { installTelemetry } from './telemetry';
import { openPollGroups } from './poll-groups';
import { installTracing } from '../common/tracing';
import { tracingSettings } from '../common/observability-variables';
import { createWorkers, runWorkers } from './worker';
import { workflowBundleFrom } from './workflow-bundle';

/**
 * Builds the worker process's parts from configuration and runs them until a signal stops them.
 * Code that embeds the worker passes `hooks` to run its own fulfilment once per outcome.
 */
export async function runWorkerProcess(config: Config, hooks?: FulfilmentHooks): Promise<void> {
  // Traces when OTEL_EXPORTER_OTLP_ENDPOINT is set (common/tracing.ts); installed before any client or worker exists.
  const tracing = installTracing(tracingSettings(config.environment), 'order-tracker-worker');
  const workflowBundle = workflowBundleFrom(config.environment.WORKFLOW_BUNDLE, config.environment.ORDER_TRACKER_ENCRYPTION_KEY !== undefined, tracing !== undefined);
  await registerSearchAttributesIfAllowed(config);
  const connection = await connectWorker(config);
  const database = await openDatabase(config.databaseUrl);
  const { ledger, pushChannels, requestSlots } = database;
  const client = await connectClient(config);
  const pollGroups = openPollGroups(config, client, database);
  try {
    if (config.configuredProviders.length === 0) {
      Runtime.instance().logger.warn('no provider is configured here; polls wait for a worker that has one');
    }
    const workers = await createWorkers({
      connection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      activities: activitiesFromConfig(config, ledger, hooks, pushChannels, requestSlots, pollGroups.dependencies),
      providers: config.configuredProviders,
      requestsPerSecond: config.requestsPerSecond,
      dataConverter: dataConverterFor(config.environment.ORDER_TRACKER_ENCRYPTION_KEY),
      workflowBundle,
    });
    Runtime.instance().logger.info('order-tracker worker running', {
      taskQueue: config.taskQueue,
      providers: config.configuredProviders,
    });
    // The orders in flight and those past their max wait, counted through visibility for the alerts.
    const runtime = Runtime.instance();
    const watch = startOrderWatch(client, runtime.metricMeter, (message, fields) => runtime.logger.warn(message, fields));
    try {
      // The SDK's runtime shuts the workers down on SIGINT/SIGTERM; run() then resolves.
      const running = runWorkers(workers);
      await pollGroups.start();
      await running;
    } finally {
      watch.stop();
    }
  } finally {
    await client.connection.close();
    await database.close();
    await connection.close();
    // The spans of the last workflow tasks and activities are still buffered.
    await tracing?.shutdown();
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
    Runtime.instance().logger.warn('could not register search attributes; register OrderProvider, OrderStatus, OrderOutcome as Keyword', {
      error: String(error),
    });
  } finally {
    await connection.close();
  }
}

/** `order-tracker worker`: JSON logs on stdout, metrics on METRICS_PORT, then the workers. */
export async function runWorker(): Promise<number> {
  const config = loadConfig();
  const { metricsUrl } = installTelemetry(config, (line) => process.stdout.write(line));
  if (metricsUrl !== undefined) Runtime.instance().logger.info('metrics endpoint', { url: metricsUrl });
  await runWorkerProcess(config);
  return 0;
}
