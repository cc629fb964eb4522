import type { FastifyInstance } from 'fastify';
import { scaledClock } from '../../providers/provider-clock';
import type { OrderTracker } from '../../client/order-tracker';
import { type Config, ConfigError } from '../../common/config';
import { type OzzobitBridge, createOzzobitBridge } from './ozzobit-bridge';
import type { VisibilityClient } from './ozzobit-tracked-orders';
import { ozzobitWebhookRoute } from './ozzobit-webhook';
import { createOzzobitWebhookVerifier } from '../../providers/ozzobit/ozzobit-webhook-verifier';
import { type PushReporting, reportingOptions } from './push-logger';

/** `POST /webhooks/ozzobit` when OZZOBIT_WEBHOOK_SECRET is set (read as OZZOBIT_WEBHOOK_SCHEME says); without a secret nothing could be verified. */
export function ozzobitWebhookRouteFromConfig(config: Config, tracker: Pick<OrderTracker, 'push'>, reporting?: PushReporting): ((app: FastifyInstance) => void) | undefined {
  const secret = config.environment.OZZOBIT_WEBHOOK_SECRET;
  if (secret === undefined) return undefined;
  return ozzobitWebhookRoute({
    tracker,
    verifier: createOzzobitWebhookVerifier(config.environment.OZZOBIT_WEBHOOK_SCHEME, secret),
    clock: scaledClock(config.timeScale),
    ...reportingOptions(reporting, 'ozzobit webhook'),
  });
}

/** The socket.io bridge when OZZOBIT_WS_URL is set; it needs OZZOBIT_API_KEY for `auth.apiKey`. */
export function ozzobitBridgeFromConfig(config: Config, tracker: Pick<OrderTracker, 'push'>, client: VisibilityClient, reporting?: PushReporting): OzzobitBridge | undefined {
  const { OZZOBIT_WS_URL: wsUrl, OZZOBIT_API_KEY: apiKey } = config.environment;
  if (wsUrl === undefined) return undefined;
  if (apiKey === undefined) throw new ConfigError('invalid environment: OZZOBIT_WS_URL is set but OZZOBIT_API_KEY is not');
  return createOzzobitBridge({ wsUrl, apiKey, tracker, client, clock: scaledClock(config.timeScale), ...reportingOptions(reporting, 'ozzobit bridge') });
}
