/**
 * Toy's webhook route (`POST /webhooks/toy`, served by the ingress): the signature verified over
 * the raw body, then the order read with the poll's status table; another event is answered 200.
 */
import { timingSafeEqual } from 'node:crypto';
import type { WebhookRoute } from '../../../providers/push/push-channel';
import { type WebhookVerifier, singleHeader } from '../../../providers/webhook-verifier';
import { toToyObservation } from './toy-client';
import { TOY_ORDER_EVENT, TOY_SIGNATURE_HEADER, signToyWebhook, toyWebhookSchema } from './toy-protocol';

function toyVerifier(secret: string): WebhookVerifier {
  return {
    scheme: 'hmac-sha256-hex',
    verify({ rawBody, headers }) {
      const signature = singleHeader(headers, TOY_SIGNATURE_HEADER);
      if (signature === undefined) return { ok: false, reason: `no ${TOY_SIGNATURE_HEADER} header` };
      const expected = Buffer.from(signToyWebhook(rawBody, secret));
      const given = Buffer.from(signature);
      const matches = given.length === expected.length && timingSafeEqual(given, expected);
      return matches ? { ok: true, payload: rawBody } : { ok: false, reason: 'signature does not match' };
    },
  };
}

export function toyWebhookRoute(secret: string): WebhookRoute {
  return {
    verifier: toyVerifier(secret),
    parse(payload) {
      let body;
      try {
        body = toyWebhookSchema.parse(JSON.parse(payload.toString('utf8')));
      } catch (error) {
        return { ok: false, reason: error instanceof Error ? error.message : String(error) };
      }
      if (body.event !== TOY_ORDER_EVENT) return { ok: false, reason: `event ${body.event}`, otherEvent: body.event };
      if (body.order === undefined) return { ok: false, reason: `${TOY_ORDER_EVENT} without an order` };
      return { ok: true, orderId: body.order.id, observation: toToyObservation(body.order.state) };
    },
  };
}
