/**
 * The ingress's push channels, from the registry: for each provider, every channel its descriptor
 * names (`push.channels`) whose variable is set, a socket bridge or a webhook route, built by the
 * provider's own code with a PushContext, and what the channel monitor watches of each. Nothing here
 * knows a provider: adding a pushing provider is its folder and its registry line.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../common/config';
import type { ProviderName } from '../../domain/types';
import { scaledClock } from '../../providers/provider-clock';
import type { PushBridge, PushContext, PushTarget } from '../../providers/push/push-channel';
import { type PushReporting, componentLogger, prefixedConsoleLogger } from '../../providers/push/push-logger';
import { registeredProviders } from '../../providers/registry';
import type { ChannelSource } from './push-channel-monitor';
import { pushReceiptCounter, reportingPushes } from './push-receipts';
import { type VisibilityClient, runningOrders } from './tracked-orders';
import { webhookRoute } from './webhook-routes';

export interface IngressChannels {
  /** Built, not started: the ingress runs them. */
  bridges: PushBridge[];
  webhooks: ((app: FastifyInstance) => void)[];
  /** Every channel, for the monitor: a bridge as it reports itself, a webhook route up while served. */
  sources: ChannelSource[];
}

/** Waits until the provider's request budget (shared with the workers) lets one more request go out. */
export type ProviderBudget = (provider: ProviderName) => Promise<void>;

/**
 * `tracker`: where every channel pushes (the ingress's deadline, dedupe and audit trail); each
 * channel adds its own receipts, log line and span. Without `reporting`, readable console lines and
 * no counts. A channel's own reads of its provider wait for `budget`.
 */
export function pushChannelsFromConfig(
  config: Config,
  tracker: PushTarget,
  client: VisibilityClient,
  reporting?: PushReporting,
  budget?: ProviderBudget,
): IngressChannels {
  const values: Record<string, unknown> = config.environment;
  const clock = scaledClock(config.timeScale);
  const channels: IngressChannels = { bridges: [], webhooks: [], sources: [] };
  for (const { name: provider, push } of registeredProviders()) {
    for (const spec of push?.channels ?? []) {
      // loadConfig has checked that a set switch comes with what the channel needs.
      if (values[spec.switch] === undefined) continue;
      const component = `${provider} ${spec.channel === 'webhook' ? 'webhook' : 'bridge'}`;
      const logger = reporting === undefined ? prefixedConsoleLogger(component) : componentLogger(reporting.logger, component);
      const count = pushReceiptCounter(reporting?.meter, provider, spec.channel);
      const context: PushContext = {
        tracker: reportingPushes(tracker, count, logger, spec.channel),
        logger,
        count,
        clock,
        trackedOrders: runningOrders(client, provider),
        beforeRequest: budget === undefined ? undefined : () => budget(provider),
      };
      if (spec.channel === 'webhook') {
        channels.webhooks.push(webhookRoute({ provider, route: spec.route(values, context), tracker: context.tracker, logger, count }));
        channels.sources.push({ provider, channel: spec.channel, report: () => ({ state: 'up', reason: null }) });
      } else {
        const bridge = spec.bridge(values, context);
        channels.bridges.push(bridge);
        channels.sources.push({ provider, channel: spec.channel, report: () => bridge.channel() });
      }
    }
  }
  return channels;
}
