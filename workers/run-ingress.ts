import type { Client } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import { openLedger } from '../ledger/open-ledger';
import { connectClient } from '../client/connect';
import { type OrderTracker, trackerFromConfig } from '../client/order-tracker';
import { type Config, loadConfig } from '../common/config';
import { buildIngress } from './ingress';
import { pushChannelsFromConfig } from './push/push-channels';
import { PushDeduplicator, deduplicatingPushes } from './push/push-dedupe';
import { type PushReporting, componentLogger, prefixedConsoleLogger } from '../providers/push/push-logger';
import { installTelemetry } from './telemetry';
import { installTracing } from '../common/tracing';
import { tracingSettings } from '../common/observability-variables';
import { openPushChannelStore, type PushChannelStore } from '../activities/push-channels/push-channel-store';
import { PushChannelMonitor, type PushChannelHealth } from './push/push-channel-monitor';
import { INGRESS_TEMPORAL_DEADLINE_MS, boundedTracker } from './temporal-deadline';
import type { AuditTrail } from '../activities/audit/audit-trail';
import type { Ledger } from '../ledger/ledger';
import { auditTrailFromConfig } from './activity-dependencies';
import { auditedPushes } from './push/push-audit';

export interface RunningIngress {
  address: string;
  bridges: string[];
  /**
   * Rejects when a bridge stops on its own (refused credentials): the error says why. The ingress
   * keeps serving webhooks and the HTTP API; /healthz and the push-channel states name the bridge.
   */
  failed: Promise<never>;
  /** Each push channel's state, as /healthz shows it. */
  pushChannels(): PushChannelHealth;
  stop(): Promise<void>;
}

export interface IngressOptions {
  port?: number;
  /** Where routes and bridges log and count their pushes; without it, readable console lines and no counts. */
  reporting?: PushReporting;
  /** The memory of delivered pushes (push-dedupe.ts); a fresh one by default. */
  deduplicator?: PushDeduplicator;
  /** Where the push channels' states go for the workers (the shared database); none without it. */
  pushChannelStore?: PushChannelStore;
  /** How long any call to Temporal may take before the caller gets 503 (INGRESS_TEMPORAL_DEADLINE_MS). */
  temporalDeadlineMs?: number;
  /**
   * The ledger: `GET /orders/:provider/:orderId/history` reads the audit trail from it, and the
   * pushes that change an order are kept there (through `audit`, or a writer made from it).
   */
  ledger?: Ledger;
  /** The audit trail's writer for pushes; by default one over `ledger` (none without a ledger). */
  audit?: AuditTrail;
}

/** The HTTP server (webhooks, HTTP API) and the configured push bridges, started. */
export async function startIngress(config: Config, tracker: OrderTracker, client: Client, options: IngressOptions = {}): Promise<RunningIngress> {
  const { port = config.environment.INGRESS_PORT, reporting } = options;
  // Every route and bridge reaches Temporal within the deadline (temporal-deadline.ts).
  const bounded = boundedTracker(tracker, { deadlineMs: options.temporalDeadlineMs ?? INGRESS_TEMPORAL_DEADLINE_MS, connection: client.connection });
  // One memory of delivered pushes for every route and bridge: a status that arrives by webhook and
  // by socket, or again after a replay, is signalled once.
  const deduplicated = deduplicatingPushes(bounded, options.deduplicator ?? new PushDeduplicator());
  const audit = options.audit ?? (options.ledger && auditTrailFromConfig(config, options.ledger));
  const pushes = audit === undefined ? deduplicated : auditedPushes(deduplicated, audit);
  // Every channel a provider's descriptor names whose variable is set: bridges, webhook routes.
  const { bridges, webhooks, sources } = pushChannelsFromConfig(config, pushes, client, reporting);
  const monitor = new PushChannelMonitor(sources, {
    store: options.pushChannelStore,
    logger: reporting === undefined ? prefixedConsoleLogger('push channels') : componentLogger(reporting.logger, 'push channels'),
    meter: reporting?.meter,
  });
  const app = buildIngress({
    tracker: bounded,
    reporting,
    token: config.environment.INGRESS_TOKEN,
    webhooks,
    pushChannels: () => monitor.health(),
    answers: options.ledger,
  });
  const address = await app.listen({ port, host: config.environment.INGRESS_HOST });
  const runs = bridges.map((bridge) => bridge.run());
  monitor.start();
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
    pushChannels: () => monitor.health(),
    async stop() {
      stopping = true;
      // The monitor first: it reports every channel stopped, before the bridges' closing reads as a failure.
      await monitor.stop();
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
 * credentials is logged and shown in /healthz, and the rest of the ingress runs on.
 */
export async function runIngressProcess(config: Config): Promise<void> {
  const { metricsUrl } = installTelemetry(config, (line) => process.stdout.write(line));
  // Before the client is made: its starts and signals carry each push's span (common/tracing.ts).
  const tracing = installTracing(tracingSettings(config.environment), 'order-tracker-ingress');
  const reporting = runtimeReporting();
  const ledger = await openLedger(config.databaseUrl);
  const pushChannelStore = await openPushChannelStore(config.databaseUrl);
  const client = await connectClient(config);
  const tracker = trackerFromConfig(config, client, ledger);
  const ingress = await startIngress(config, tracker, client, { reporting, pushChannelStore, ledger });
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
    await pushChannelStore.close();
    await client.connection.close();
    await ledger.close();
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
