/**
 * OZZOBiT's push channels as the ingress builds them (the descriptor loads this file when one of
 * them is switched on): the socket.io bridge (OZZOBIT_WS_URL with OZZOBIT_API_KEY for `auth.apiKey`)
 * and the webhook `POST /webhooks/ozzobit` (OZZOBIT_WEBHOOK_SECRET, read as OZZOBIT_WEBHOOK_SCHEME
 * says: without a secret nothing could be verified).
 */
import type { ProviderClock } from '../provider-clock';
import type { PushContext, WebhookRoute } from '../push/push-channel';
import { type OzzobitBridge, createOzzobitBridge } from './ozzobit-bridge';
import { parseOzzobitWebhook } from './ozzobit-events';
import { type OzzobitWebhookScheme, createOzzobitWebhookVerifier } from './ozzobit-webhook-verifier';
import type { WebhookVerifier } from '../webhook-verifier';

export function ozzobitBridge(settings: { wsUrl: string; apiKey: string }, context: PushContext): OzzobitBridge {
  return createOzzobitBridge({ ...context, ...settings });
}

/**
 * Verified as the scheme says, then read with the seed's envelope: an ORDER_* event's order,
 * normalised as the poll normalises it; another event is answered 200 and nothing done.
 */
export function ozzobitWebhookRoute(verifier: WebhookVerifier, clock?: ProviderClock): WebhookRoute {
  return { verifier, parse: (payload, now) => parseOzzobitWebhook(payload, now, clock) };
}

export function ozzobitWebhook(settings: { secret: string; scheme: OzzobitWebhookScheme }, context: PushContext): WebhookRoute {
  return ozzobitWebhookRoute(createOzzobitWebhookVerifier(settings.scheme, settings.secret), context.clock);
}
