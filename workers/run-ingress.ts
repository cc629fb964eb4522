import type { Client } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import { openLedger } from '../activities/ledger/open-ledger';
import { connectClient } from '../client/connect';
import { type OrderTracker, trackerFromConfig } from '../client/order-tracker';
import { type Config, loadConfig } from '../common/config';
import { buildIngress } from './ingress';
import { pushBridgesFromConfig, webhookRoutesFromConfig } from './push/push-config';
import { PushDeduplicator, deduplicatingPushes } from './push/push-dedupe';
import type { PushReporting } from './push/push-logger';
import { installTelemetry } from './telemetry';

export interface RunningIngress {
  address: string;
  bridges: string[];
  /** Settles when a bridge stops on its own (refused credentials): the error says why. */
  failed: Promise<never>;
  stop(): Promise<void>;
}

export interface IngressOptions {
  port?: number;
  /** Where routes and bridges log and count their pushes; without it, readable console lines and no counts. */
  reporting?: PushReporting;
  /** The memory of delivered pushes (push-dedupe.ts); a fresh one by default. */
  deduplicator?: PushDeduplicator;
}

/** The HTTP server (webhooks, HTTP API) and the configured push bridges, started. */
export async function startIngress(config: Config, tracker: OrderTracker, client: Client, options: IngressOptions = {}): Promise<RunningIngress> {
  const { port = config.environment.INGRESS_PORT, reporting } = options;
  // One memory of delivered pushes for every route and bridge: a status that arrives by webhook and
  // by socket, or again after a replay, is signalled once.
  const pushes = deduplicatingPushes(tracker, options.deduplicator ?? new PushDeduplicator());
  const app = buildIngress({ tracker, token: config.environment.INGRESS_TOKEN, webhooks: webhookRoutesFromConfig(config, pushes, reporting) });
  const address = await app.listen({ port, host: config.environment.INGRESS_HOST });
  const bridges = pushBridgesFromConfig(config, pushes, client, reporting);
  const runs = bridges.map((bridge) => bridge.run());
  let stopping = false;
  // Only a bridge that ends on its own is a failure: stop() ends them all on purpose.
  const failed = new Promise<never>((_resolve, reject) => {
    bridges.forEach((bridge, index) =>
      runs[index]?.then(
        () => !stopping && reject(new Error(`the ${bridge.provider} push bridge stopped`)),
        (error: unknown) => !stopping && reject(error),
      ),
    );
  });
  failed.catch(() => undefined);
  return {
    address,
    bridges: bridges.map((bridge) => bridge.provider),
    failed,
    async stop() {
      stopping = true;
      await Promise.allSettled(bridges.map((bridge) => bridge.stop()));
      await Promise.allSettled(runs);
      await app.close();
    },
  };
}

/** The Runtime's JSON logger and metric meter (installTelemetry): what `ingress` and `dev` report through. */
export function runtimeReporting(): PushReporting {
  const runtime = Runtime.instance();
  return { logger: runtime.logger, meter: runtime.metricMeter };
}

/**
 * `order-tracker ingress`: the HTTP server (webhooks and the HTTP API) and a push bridge for each
 * provider whose push settings are set, with JSON logs on stdout and, with METRICS_PORT, the push
 * receipts on a Prometheus endpoint. Runs until SIGINT/SIGTERM; a bridge that stops on refused
 * credentials stops the process with its error.
 */
export async function runIngressProcess(config: Config): Promise<void> {
  const { metricsUrl } = installTelemetry(config, (line) => process.stdout.write(line));
  const reporting = runtimeReporting();
  const ledger = await openLedger(config.databaseUrl);
  const client = await connectClient(config);
  const tracker = trackerFromConfig(config, client, ledger);
  const ingress = await startIngress(config, tracker, client, { reporting });
  try {
    reporting.logger.info('order-tracker ingress running', { address: ingress.address, pushBridges: ingress.bridges, ...(metricsUrl && { metrics: metricsUrl }) });
    const stopped = new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await Promise.race([stopped, ingress.failed]);
  } finally {
    await ingress.stop();
    await client.connection.close();
    await ledger.close();
    // No worker ends the Runtime here (a worker's last shutdown does): its metrics exporter and log
    // forwarding would keep the process alive after SIGTERM.
    await Runtime.instance().shutdown();
  }
}

export async function runIngress(): Promise<number> {
  await runIngressProcess(loadConfig());
  return 0;
}
