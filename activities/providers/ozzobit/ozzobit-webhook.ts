/**
 * OZZOBiT webhooks: `POST { eventName: 'ORDER_<STATUS>', data: <order> }` on every status change.
 *
 * Signature: the seed reads `x-OZZOBiT-signature` and defers verification to a separate
 * "decryption guide" we do not have. Our reading (and the simulator's): the header is the hex
 * HMAC-SHA256 of the raw request body bytes, keyed with the webhook secret (OZZOBIT_WEBHOOK_SECRET).
 * Verify before parsing, over the exact bytes received.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ozzobitOrderSchema } from './ozzobit-schema';

/** HTTP header names are case-insensitive; Node hands them over in lower case. */
export const OZZOBIT_SIGNATURE_HEADER = 'x-OZZOBiT-signature';

export const OZZOBIT_EVENT_PREFIX = 'ORDER_';
const EVENT_NAME = /^ORDER_([A-Z][A-Z0-9_]*)$/;

/** Strict on the envelope (an unexpected shape is not OZZOBiT's), minimal on the order inside. */
export const ozzobitWebhookSchema = z
  .object({
    eventName: z.string().regex(EVENT_NAME, 'expected ORDER_<STATUS>'),
    data: ozzobitOrderSchema,
  })
  .strict();

export type OzzobitWebhook = z.infer<typeof ozzobitWebhookSchema>;

/**
 * `ORDER_PENDING_DELIVERY` → `PENDING_DELIVERY`; undefined for anything that is not an order event.
 * A status the seed does not list comes back as is (the status table calls it unrecognised).
 * `data.status` is what gets normalised; the event name says why the push was sent.
 */
export function ozzobitEventStatus(eventName: string): string | undefined {
  return EVENT_NAME.exec(eventName)?.[1];
}

export function ozzobitEventName(status: string): string {
  return `${OZZOBIT_EVENT_PREFIX}${status}`;
}

export function signOzzobitWebhook(rawBody: string | Buffer, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/** Constant-time check of the signature header against the raw body. */
export function verifyOzzobitSignature(rawBody: string | Buffer, signature: string | null | undefined, secret: string): boolean {
  if (typeof signature !== 'string' || !/^[0-9a-fA-F]{64}$/.test(signature.trim())) return false;
  const expected = Buffer.from(signOzzobitWebhook(rawBody, secret), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature.trim(), 'hex'));
}
