import type { Client } from '@temporalio/client';
import { createHoudiniAdapter } from '../../providers/houdini/houdini-client';
import { scaledClock } from '../../providers/provider-clock';
import type { OrderTracker } from '../../client/order-tracker';
import type { ProviderName } from '../../domain/types';
import { type Config, ConfigError } from '../../common/config';
import type { PushBridge } from './bridge';
import { createHoudiniBridge } from './houdini-bridge';
import { runningHoudiniOrders } from './houdini-catch-up';
import { type PushReporting, reportingOptions } from './push-logger';

/** Waits until the provider's request budget (shared with the workers) lets one more request go out. */
export type ProviderBudget = (provider: ProviderName) => Promise<void>;

/**
 * The Houdini bridge when HOUDINI_WS_URL is set (with HOUDINI_PARTNER_ID and HOUDINI_SECRET, which
 * the socket shares with REST). HOUDINI_URL adds the catch-up through `GET /v2/orders` after a gap,
 * each page within Houdini's request budget when `budget` is given.
 */
export function houdiniBridgeFromConfig(
  config: Config,
  tracker: Pick<OrderTracker, 'push'>,
  client: Client,
  reporting?: PushReporting,
  budget?: ProviderBudget,
): PushBridge | undefined {
  const { HOUDINI_WS_URL: wsUrl, HOUDINI_PARTNER_ID: partnerId, HOUDINI_SECRET: secret, HOUDINI_URL: url } = config.environment;
  if (wsUrl === undefined) return undefined;
  if (partnerId === undefined || secret === undefined) {
    const missing = [partnerId === undefined && 'HOUDINI_PARTNER_ID', secret === undefined && 'HOUDINI_SECRET'].filter(Boolean);
    throw new ConfigError(`invalid environment: HOUDINI_WS_URL is set but ${missing.join(', ')} is not`);
  }
  const clock = scaledClock(config.timeScale);
  return createHoudiniBridge({
    wsUrl,
    partnerId,
    secret,
    tracker,
    adapter: url === undefined ? undefined : createHoudiniAdapter({ url, partnerId, secret, pushes: true }, clock),
    trackedOrders: runningHoudiniOrders(client),
    beforeListPage: budget === undefined ? undefined : () => budget('houdini'),
    clock,
    ...reportingOptions(reporting, 'houdini bridge'),
  });
}
