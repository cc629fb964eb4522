import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { OrderTracker } from '../../client/order-tracker';
import type { Config } from '../../common/config';
import type { PushBridge } from './bridge';
import { type ProviderBudget, houdiniBridgeFromConfig } from './houdini-config';
import { ozzobitBridgeFromConfig, ozzobitWebhookRouteFromConfig } from './ozzobit-config';
import type { PushReporting } from './push-logger';

/** The webhook routes whose secrets are configured (OZZOBiT: OZZOBIT_WEBHOOK_SECRET). */
export function webhookRoutesFromConfig(config: Config, tracker: Pick<OrderTracker, 'push'>, reporting?: PushReporting): ((app: FastifyInstance) => void)[] {
  const routes: ((app: FastifyInstance) => void)[] = [];
  const ozzobit = ozzobitWebhookRouteFromConfig(config, tracker, reporting);
  if (ozzobit !== undefined) routes.push(ozzobit);
  return routes;
}

/**
 * One bridge per provider whose push settings are set (HOUDINI_WS_URL, OZZOBIT_WS_URL); their reads
 * of the provider (Houdini's catch-up) wait for `budget`, the provider's request budget.
 */
export function pushBridgesFromConfig(config: Config, tracker: Pick<OrderTracker, 'push'>, client: Client, reporting?: PushReporting, budget?: ProviderBudget): PushBridge[] {
  const bridges: PushBridge[] = [];
  const houdini = houdiniBridgeFromConfig(config, tracker, client, reporting, budget);
  if (houdini !== undefined) bridges.push(houdini);
  const ozzobit = ozzobitBridgeFromConfig(config, tracker, client, reporting);
  if (ozzobit !== undefined) bridges.push(ozzobit);
  return bridges;
}
