/**
 * How the ingress decides that a webhook delivery really comes from the provider, kept behind one
 * interface so the scheme can change without touching the route.
 *
 * A verifier gets the exact bytes received and the headers, and answers with the payload to read:
 * for a signature scheme (what we implement for OZZOBiT today) that is the raw body unchanged; for
 * an encrypted-payload scheme it would be the decrypted plaintext. OZZOBiT's seed says only "verify
 * webhook signature (see decryption guide for full implementation)" next to `x-OZZOBiT-signature`:
 * the word "decryption" suggests the real scheme may be an encoded payload instead: Transak, whose
 * ORDER_* events and statuses OZZOBiT's match, sends `{ data: <JWT> }` and has the receiver verify
 * and decode the JWT with its partner access token (docs.transak.com/guides/how-to-decrypt-webhook-
 * payload). Until we have OZZOBiT's guide, its verifier reads the header as the hex HMAC-SHA256 of
 * the raw body keyed with OZZOBIT_WEBHOOK_SECRET (ozzobit-webhook-verifier.ts), as the simulator
 * signs; a JWT reading would be another verifier returning the decoded claims as its payload.
 *
 * Either way a verifier only ever vouches for bytes it checked: the route parses what it returns,
 * never the request body it was handed.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface WebhookDelivery {
  /** The request body exactly as received: a signature covers bytes, not a re-serialised object. */
  rawBody: Buffer;
  /** Node's lower-cased request headers. */
  headers: IncomingHttpHeaders;
}

export type WebhookVerification =
  /** `payload`: the bytes to parse (the body itself, or what a decrypting scheme recovered from it). */
  | { ok: true; payload: Buffer }
  /** `reason` names what was wrong (never the secret or the expected value): it goes into the 401 and the log. */
  | { ok: false; reason: string };

export interface WebhookVerifier {
  /** A short name of the scheme, for logs: e.g. `hmac-sha256-hex`. */
  readonly scheme: string;
  verify(delivery: WebhookDelivery): WebhookVerification;
}

/** One header's value; a header repeated in the request is ambiguous and counts as absent. */
export function singleHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return typeof value === 'string' ? value : undefined;
}
