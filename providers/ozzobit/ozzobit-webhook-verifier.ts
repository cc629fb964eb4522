/**
 * OZZOBiT's webhook verification, in the two readings of the "decryption guide" the seed points to
 * but does not include (see webhook-verifier.ts), selected by OZZOBIT_WEBHOOK_SCHEME:
 * - `hmac` (default): `x-OZZOBiT-signature` holds the HMAC-SHA256 of the raw body, keyed with
 *   OZZOBIT_WEBHOOK_SECRET, as hex, `sha256=<hex>` or base64, compared in constant time;
 * - `jwt`: the body is `{ data: "<HS256 JWT>" }` signed with OZZOBIT_WEBHOOK_SECRET, and the event
 *   is the token's claims (the payload handed to the route).
 * The computations are the provider module's (ozzobit-webhook.ts, ozzobit-jwt.ts).
 */
import { z } from 'zod';
import { verifyHs256Jwt } from './ozzobit-jwt';
import { OZZOBIT_SIGNATURE_HEADER } from './ozzobit-protocol';
import { decodeOzzobitSignature, verifyOzzobitSignature } from './ozzobit-webhook';
import { type WebhookVerifier, singleHeader } from '../webhook-verifier';

export const OZZOBIT_WEBHOOK_SCHEMES = ['hmac', 'jwt'] as const;
export type OzzobitWebhookScheme = (typeof OZZOBIT_WEBHOOK_SCHEMES)[number];

export const OZZOBIT_SIGNATURE_SCHEME = 'hmac-sha256';
export const OZZOBIT_JWT_SCHEME = 'jwt-hs256';

function requireSecret(secret: string): void {
  if (secret.trim() === '') throw new Error('the OZZOBiT webhook verifier needs a secret (OZZOBIT_WEBHOOK_SECRET)');
}

export function createOzzobitSignatureVerifier(secret: string): WebhookVerifier {
  requireSecret(secret);
  return {
    scheme: OZZOBIT_SIGNATURE_SCHEME,
    verify({ rawBody, headers }) {
      const signature = singleHeader(headers, OZZOBIT_SIGNATURE_HEADER);
      if (signature === undefined) return { ok: false, reason: `missing ${OZZOBIT_SIGNATURE_HEADER} header` };
      // Only the shape is named: nothing about the expected value leaks into the answer.
      if (decodeOzzobitSignature(signature) === undefined) {
        return { ok: false, reason: `${OZZOBIT_SIGNATURE_HEADER} is not an HMAC-SHA256 in hex, sha256=<hex> or base64` };
      }
      if (!verifyOzzobitSignature(rawBody, signature, secret)) {
        return { ok: false, reason: `${OZZOBIT_SIGNATURE_HEADER} does not match the body` };
      }
      return { ok: true, payload: rawBody };
    },
  };
}

const jwtBodySchema = z.object({ data: z.string().min(1).max(200_000) });

export function createOzzobitJwtVerifier(secret: string, clock: () => number = Date.now): WebhookVerifier {
  requireSecret(secret);
  return {
    scheme: OZZOBIT_JWT_SCHEME,
    verify({ rawBody }) {
      let body: unknown;
      try {
        body = JSON.parse(rawBody.toString('utf8'));
      } catch {
        return { ok: false, reason: 'body is not JSON { data: "<JWT>" }' };
      }
      const parsed = jwtBodySchema.safeParse(body);
      if (!parsed.success) return { ok: false, reason: 'body has no JWT in data' };
      const verified = verifyHs256Jwt(parsed.data.data, secret, clock());
      if (!verified.ok) return verified;
      return { ok: true, payload: Buffer.from(JSON.stringify(verified.claims)) };
    },
  };
}

export function createOzzobitWebhookVerifier(scheme: OzzobitWebhookScheme, secret: string): WebhookVerifier {
  return scheme === 'jwt' ? createOzzobitJwtVerifier(secret) : createOzzobitSignatureVerifier(secret);
}
