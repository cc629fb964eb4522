/**
 * An ingress process, assembled once: the stores (openDatabase), the Temporal client, the order
 * tracker configuration gives, and startIngress (run-ingress.ts) over them; closed in the reverse
 * order. `order-tracker ingress` (runIngressProcess below) and `npm start` (dev.ts, beside its
 * worker) start theirs here.
 */
import type { Client } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import { connectClient } from '../client/connect';
import { trackerFromConfig } from '../client/order-tracker';
import { type Config, loadConfig } from '../common/config';
import { tracingSettings } from '../common/observability-variables';
import { installTracing } from '../common/tracing';
import type { Database } from '../storage/database';
import { openDatabase } from '../storage/open-database';
import { type IngressOptions, type RunningIngress, runtimeReporting, startIngress } from './run-ingress';
import { installTelemetry } from './telemetry';

/**
 * Parts a caller hands in instead of the ones configuration gives (`npm start` shares its worker's);
 * the process never closes parts handed in.
 */
export interface IngressProcessParts extends Pick<IngressOptions, 'port' | 'reporting' | 'temporalDeadlineMs'> {
  /**
   * The ledger (audit trail, order history), the push channels' states and the request slots (a
   * bridge's catch-up reads take the workers' slots); by default openDatabase(config.databaseUrl).
   */
  stores?: Pick<Database, 'ledger' | 'pushChannels' | 'requestSlots'>;
  /** By default one from config. */
  client?: Client;
}

export type IngressProcess = RunningIngress;

/** Starts the HTTP server and push bridges of one process from configuration; they run until stop(). */
export async function startIngressProcess(config: Config, parts: IngressProcessParts = {}): Promise<IngressProcess> {
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close();
  };
  try {
    const database = parts.stores === undefined ? await openDatabase(config.databaseUrl) : undefined;
    if (database !== undefined) closers.push(() => database.close());
    const { ledger, pushChannels, requestSlots } = parts.stores ?? (database as Database);
    const client = parts.client ?? (await connectClient(config));
    if (parts.client === undefined) closers.push(() => client.connection.close());
    const tracker = trackerFromConfig(config, client, ledger);
    const ingress = await startIngress(config, tracker, client, {
      port: parts.port,
      reporting: parts.reporting,
      temporalDeadlineMs: parts.temporalDeadlineMs,
      pushChannelStore: pushChannels,
      ledger,
      requestSlots,
    });
    closers.push(() => ingress.stop());
    let stopping: Promise<void> | undefined;
    return { ...ingress, stop: () => (stopping ??= closeAll()) };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * `order-tracker ingress`: the HTTP server (webhooks and the HTTP API) and a push bridge for each
 * provider whose push settings are set, with JSON logs on stdout and, with METRICS_PORT, the push
 * receipts on a Prometheus endpoint. Runs until SIGINT/SIGTERM; a bridge that stops on refused
 * credentials is logged and shown in /healthz, and the rest of the ingress runs on.
 */
export async function runIngressProcess(config: Config): Promise<void> {
  const { metricsUrl } = installTelemetry(config, (line) => process.stdout.write(line));
  // Before the client is made: its starts and signals carry each push's span (common/tracing.ts).
  const tracing = installTracing(tracingSettings(config.environment), 'order-tracker-ingress');
  const reporting = runtimeReporting();
  const ingress = await startIngressProcess(config, { reporting });
  try {
    reporting.logger.info('order-tracker ingress running', { address: ingress.address, pushBridges: ingress.bridges, ...(metricsUrl && { metrics: metricsUrl }) });
    // A bridge that stops (refused credentials) degrades the ingress, it does not end it: webhooks
    // and the HTTP API go on, /healthz names the bridge, and its provider's orders poll at their cadence.
    ingress.failed.catch((error: unknown) =>
      reporting.logger.error('push bridge stopped; the ingress keeps running without it', { error: error instanceof Error ? error.message : String(error) }),
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  } finally {
    await ingress.stop();
    await tracing?.shutdown();
    // No worker ends the Runtime here (a worker's last shutdown does): its metrics exporter and log
    // forwarding would keep the process alive after SIGTERM.
    await Runtime.instance().shutdown();
  }
}

export async function runIngress(): Promise<number> {
  await runIngressProcess(loadConfig());
  return 0;
}
