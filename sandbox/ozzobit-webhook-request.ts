/**
 * One OZZOBiT webhook as the simulator sends it, in each reading of the seed's unpublished
 * "decryption guide" (shape-variant.ts): the event `{ eventName, data }` signed in
 * `x-OZZOBiT-signature` as hex, `sha256=<hex>` or base64 HMAC-SHA256 of the raw body, or the event
 * as the claims of an HS256 JWT sent as `{ data: "<JWT>" }`. The alternate shape adds envelope keys
 * the seed does not read (and, as JWT claims, names them as this family does: `eventID`,
 * `webhookData`). The simulator's own code: it borrows nothing from the adapter it tests.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { OzzobitWebhookEncoding, ShapeVariant } from './shape-variant';

export const OZZOBIT_SIGNATURE_HEADER = 'x-OZZOBiT-signature';

export interface WebhookRequest {
  body: string;
  headers: Record<string, string>;
}

function base64Url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

function hs256Jwt(claims: Record<string, unknown>, secret: string): string {
  const unsigned = `${base64Url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64Url(JSON.stringify(claims))}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

function signature(body: string, secret: string, encoding: Exclude<OzzobitWebhookEncoding, 'jwt'>): string {
  const hmac = createHmac('sha256', secret).update(body);
  if (encoding === 'base64') return hmac.digest('base64');
  const hex = hmac.digest('hex');
  return encoding === 'sha256-hex' ? `sha256=${hex}` : hex;
}

export function ozzobitWebhookRequest(
  eventName: string,
  data: unknown,
  options: { secret: string; encoding: OzzobitWebhookEncoding; shape: ShapeVariant; now: number },
): WebhookRequest {
  const { secret, encoding, shape, now } = options;
  const extra = shape === 'alternate' ? { webhookId: randomUUID(), createdAt: new Date(now).toISOString(), partnerApiKey: 'sandbox-partner' } : {};
  if (encoding === 'jwt') {
    const claims = shape === 'alternate' ? { eventID: eventName, webhookData: data, ...extra } : { eventName, data };
    const token = hs256Jwt({ ...claims, iat: Math.floor(now / 1000) }, secret);
    return { body: JSON.stringify({ data: token }), headers: { 'Content-Type': 'application/json' } };
  }
  const body = JSON.stringify({ eventName, data, ...extra });
  return { body, headers: { 'Content-Type': 'application/json', [OZZOBIT_SIGNATURE_HEADER]: signature(body, secret, encoding) } };
}
