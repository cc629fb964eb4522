/**
 * OZZOBiT's push protocol (seed 002) as both ends speak it: the webhook route and socket.io bridge
 * here, and the simulator (sandbox/ozzobit-push.ts, sandbox/ozzobit-webhook-request.ts) take the
 * header, event names, namespace and signing from this file, so the two cannot drift apart on a
 * fact of the wire. What a message *means* stays apart: the route and bridge read orders with the
 * poll's schema and status table, and the simulator renders its own, so a wrong reading of the seed
 * still shows up as a failing test instead of being mirrored on both sides.
 */
import { createHmac } from 'node:crypto';

/** The webhook's signature header (HTTP header names are case-insensitive; Node hands them over in lower case). */
export const OZZOBIT_SIGNATURE_HEADER = 'x-OZZOBiT-signature';

/** Webhooks are `{ eventName: 'ORDER_<STATUS>', data: <order> }` on every status change. */
export const OZZOBIT_EVENT_PREFIX = 'ORDER_';

export function ozzobitEventName(status: string): string {
  return `${OZZOBIT_EVENT_PREFIX}${status}`;
}

/** socket.io: `io('wss://…/ws', { auth: { apiKey } })`, the URL's path naming the namespace. */
export const OZZOBIT_SOCKET_NAMESPACE = '/ws';
/** Client → server, `{ orderId }`: the order's updates from now on (or no longer). */
export const OZZOBIT_SUBSCRIBE_EVENT = 'subscribe:order';
export const OZZOBIT_UNSUBSCRIBE_EVENT = 'unsubscribe:order';
/** Server → client: the order itself. */
export const OZZOBIT_UPDATE_EVENT = 'order:update';

/** How a signature header encodes the HMAC-SHA256 of the raw body (the seed's guide is not published; these are the usual ones). */
export type OzzobitSignatureEncoding = 'hex' | 'sha256-hex' | 'base64';

/** The signature header's value for a body: hex (as the seed-shaped webhooks sign), `sha256=<hex>` or base64. */
export function signOzzobitWebhook(rawBody: string | Buffer, secret: string, encoding: OzzobitSignatureEncoding = 'hex'): string {
  const hmac = createHmac('sha256', secret).update(rawBody);
  if (encoding === 'base64') return hmac.digest('base64');
  const hex = hmac.digest('hex');
  return encoding === 'sha256-hex' ? `sha256=${hex}` : hex;
}
