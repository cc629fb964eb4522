import type { Client } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import type { OrderTracker } from '../client/order-tracker';
import type { Config } from '../common/config';
import { buildIngress } from './ingress';
import { pushChannelsFromConfig } from './push/push-channels';
import { PushDeduplicator, deduplicatingPushes } from './push/push-dedupe';
import { type PushReporting, componentLogger, prefixedConsoleLogger } from '../providers/push/push-logger';
import type { PushChannelStore } from '../storage/push-channels/push-channel-store';
import type { RequestSlots } from '../storage/request-slots/request-slots';
import { ProviderGate, requestIntervalFor } from '../activities/provider-gate';
import type { ProviderName } from '../domain/types';
import { PushChannelMonitor, type PushChannelHealth } from './push/push-channel-monitor';
import { INGRESS_TEMPORAL_DEADLINE_MS, boundedTracker } from './temporal-deadline';
import type { AuditTrail } from '../activities/audit/audit-trail';
import type { Ledger } from '../storage/ledger/ledger';
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
  /**
   * The workers' request slots (the shared database): the bridges' reads of a provider (Houdini's
   * catch-up pages) take their slots there, within the provider's budget. Without them, this process's own pacing.
   */
  requestSlots?: RequestSlots;
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
  const gate = new ProviderGate(Date.now, options.requestSlots, (message, fields) => reporting?.logger.warn(message, fields));
  const budget = async (provider: ProviderName) => void (await gate.waitForSlot(provider, requestIntervalFor(config.requestsPerSecond[provider])));
  // Every channel a provider's descriptor names whose variable is set: bridges, webhook routes.
  const { bridges, webhooks, sources } = pushChannelsFromConfig(config, pushes, client, reporting, budget);
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
