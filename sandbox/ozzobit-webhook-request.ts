/**
 * One OZZOBiT webhook as the simulator sends it, in each reading of the seed's unpublished
 * "decryption guide" (shape-variant.ts): the event `{ eventName, data }` signed in
 * `x-OZZOBiT-signature` as hex, `sha256=<hex>` or base64 HMAC-SHA256 of the raw body, or the event
 * as the claims of an HS256 JWT sent as `{ data: "<JWT>" }`. The alternate shape adds envelope keys
 * the seed does not read (and, as JWT claims, names them as this family does: `eventID`,
 * `webhookData`). The header and the signing are the wire's (providers/ozzobit/ozzobit-protocol.ts,
 * ozzobit-jwt.ts); the envelope is the simulator's own: it borrows nothing from the route's reading.
 */
import { randomUUID } from 'node:crypto';
import { fetch } from 'undici';
import { signHs256Jwt } from '../providers/ozzobit/ozzobit-jwt';
import { OZZOBIT_SIGNATURE_HEADER, signOzzobitWebhook } from '../providers/ozzobit/ozzobit-protocol';
import type { OzzobitWebhookEncoding, ShapeVariant } from './shape-variant';

const WEBHOOK_TIMEOUT_MS = 15_000;

export interface OzzobitWebhookTarget {
  url: string;
  secret: string;
  /** How the webhook is signed or encoded (shape-variant.ts); hex by default. */
  encoding?: OzzobitWebhookEncoding;
  /**
   * Deliver again after a 5xx, a 429 or no answer, as webhook senders do: after Retry-After when the
   * receiver gives one, else 1 s doubling up to `maxDelayMs`, for `windowMs` at most. Off by
   * default: each webhook is tried once and the tracker's polls are the fallback.
   */
  redeliver?: { windowMs: number; maxDelayMs: number };
}

export interface WebhookRequest {
  body: string;
  headers: Record<string, string>;
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
    const token = signHs256Jwt({ ...claims, iat: Math.floor(now / 1000) }, secret);
    return { body: JSON.stringify({ data: token }), headers: { 'Content-Type': 'application/json' } };
  }
  const body = JSON.stringify({ eventName, data, ...extra });
  return { body, headers: { 'Content-Type': 'application/json', [OZZOBIT_SIGNATURE_HEADER]: signOzzobitWebhook(body, secret, encoding) } };
}

/**
 * Sends one webhook once. Resolves with the receiver's HTTP status (0 when it could not be reached,
 * answered too late or the simulator closed meanwhile) and the Retry-After it asked for, if any.
 */
export async function sendOzzobitWebhookOnce(target: OzzobitWebhookTarget, request: WebhookRequest, closing: AbortSignal): Promise<{ status: number; retryAfterMs?: number }> {
  try {
    const response = await fetch(target.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.any([closing, AbortSignal.timeout(WEBHOOK_TIMEOUT_MS)]),
    });
    await response.arrayBuffer();
    const retryAfter = Number(response.headers.get('retry-after') ?? Number.NaN);
    return { status: response.status, ...(Number.isFinite(retryAfter) && { retryAfterMs: retryAfter * 1000 }) };
  } catch {
    return { status: 0 };
  }
}

const redeliverable = (status: number) => status === 0 || status === 429 || status >= 500;

/**
 * Sends one webhook, and again while the receiver cannot take it if the target redelivers.
 * `attempted` hears each attempt's status. Resolves with the last status.
 */
export async function sendOzzobitWebhook(
  target: OzzobitWebhookTarget,
  request: WebhookRequest,
  closing: AbortSignal,
  attempted: (status: number, at: number) => void = () => undefined,
): Promise<number> {
  const until = Date.now() + (target.redeliver?.windowMs ?? 0);
  for (let delayMs = 1_000; ; delayMs = Math.min(delayMs * 2, target.redeliver?.maxDelayMs ?? delayMs)) {
    const at = Date.now();
    const { status, retryAfterMs } = await sendOzzobitWebhookOnce(target, request, closing);
    attempted(status, at);
    const waitMs = retryAfterMs ?? delayMs;
    if (target.redeliver === undefined || !redeliverable(status) || closing.aborted || Date.now() + waitMs > until) return status;
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}
