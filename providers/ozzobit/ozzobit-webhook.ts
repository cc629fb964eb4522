/**
 * OZZOBiT webhooks: `POST { eventName: 'ORDER_<STATUS>', data: <order> }` on every status change.
 *
 * The seed's handler reads `event.eventName` and `event.data` and answers 200 to every event its
 * switch does not know; it leaves verification to a "decryption guide" it does not include. So we
 * read only those two keys (others are allowed), answer other events without acting on them, and
 * accept the signature header in the encodings such guides use: hex, `sha256=<hex>` or base64 of the
 * HMAC-SHA256 of the raw body, keyed with OZZOBIT_WEBHOOK_SECRET. A JWT-encoded payload (`{ data:
 * "<HS256 JWT>" }`, as white-label on-ramps of this family send) is the other reading, selected by
 * OZZOBIT_WEBHOOK_SCHEME=jwt (ozzobit-jwt.ts). Verify before parsing, over the exact bytes received.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { OZZOBIT_EVENT_PREFIX } from './ozzobit-protocol';

const EVENT_NAME = new RegExp(`^${OZZOBIT_EVENT_PREFIX}([A-Z][A-Z0-9_]*)$`);

/**
 * The envelope, minimal: the event's name (`eventName`; `eventID` in the JWT claims of this family)
 * and the order (`data`; `webhookData` in those claims). Other keys are allowed and ignored.
 */
export const ozzobitWebhookEnvelopeSchema = z.object({
  eventName: z.string().min(1).max(128).nullish(),
  eventID: z.string().min(1).max(128).nullish(),
  data: z.unknown(),
  webhookData: z.unknown(),
});

export type OzzobitWebhookEnvelope = z.infer<typeof ozzobitWebhookEnvelopeSchema>;

export function ozzobitEventNameOf(envelope: OzzobitWebhookEnvelope): string | undefined {
  return envelope.eventName ?? envelope.eventID ?? undefined;
}

export function ozzobitEventOrderOf(envelope: OzzobitWebhookEnvelope): unknown {
  return envelope.data ?? envelope.webhookData;
}

/**
 * `ORDER_PENDING_DELIVERY` → `PENDING_DELIVERY`; undefined for anything that is not an order event.
 * A status the seed does not list comes back as is (the status table calls it unrecognised).
 * `data.status` is what gets normalised; the event name says why the push was sent.
 */
export function ozzobitEventStatus(eventName: string): string | undefined {
  return EVENT_NAME.exec(eventName)?.[1];
}

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
const BASE64_SHA256 = /^[A-Za-z0-9+/_-]{43}=?$/;

/**
 * The 32 bytes a signature header carries, whatever its encoding: hex, `sha256=<hex>` (GitHub-style)
 * or base64 (standard or URL-safe); undefined when it is none of them.
 */
export function decodeOzzobitSignature(header: string): Buffer | undefined {
  const value = header.trim().replace(/^sha256=/i, '');
  if (HEX_SHA256.test(value)) return Buffer.from(value, 'hex');
  if (BASE64_SHA256.test(value)) {
    const bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    return bytes.length === 32 ? bytes : undefined;
  }
  return undefined;
}

/** Constant-time check of the signature header (any accepted encoding) against the raw body. */
export function verifyOzzobitSignature(rawBody: string | Buffer, signature: string | null | undefined, secret: string): boolean {
  if (typeof signature !== 'string') return false;
  const given = decodeOzzobitSignature(signature);
  if (given === undefined) return false;
  return timingSafeEqual(createHmac('sha256', secret).update(rawBody).digest(), given);
}
