import { Runtime } from '@temporalio/worker';
import type { FulfilmentHooks } from '../activities';
import { connectConnection } from '../client/connect';
import { registerSearchAttributes } from '../common/register-search-attributes';
import { type Config, loadConfig } from '../common/config';
import { installTelemetry } from './telemetry';
import { installTracing } from '../common/tracing';
import { tracingSettings } from '../common/observability-variables';
import { startWorkerProcess } from './worker-process';

/**
 * Runs the worker process (worker-process.ts) from configuration until a signal stops it. Code that
 * embeds the worker passes `hooks` to run its own fulfilment once per outcome.
 */
export async function runWorkerProcess(config: Config, hooks?: FulfilmentHooks): Promise<void> {
  // Traces when OTEL_EXPORTER_OTLP_ENDPOINT is set (common/tracing.ts); installed before any client or worker exists.
  const tracing = installTracing(tracingSettings(config.environment), 'order-tracker-worker');
  try {
    await registerSearchAttributesIfAllowed(config);
    const worker = await startWorkerProcess(config, { hooks });
    try {
      // The SDK's runtime shuts the workers down on SIGINT/SIGTERM; done then resolves.
      await worker.done;
    } finally {
      await worker.stop();
    }
  } finally {
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
