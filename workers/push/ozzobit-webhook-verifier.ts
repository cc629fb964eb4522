/**
 * OZZOBiT's webhook signature, as we read it until OZZOBiT's "decryption guide" says otherwise (see
 * webhook-verifier.ts): `x-OZZOBiT-signature` holds the hex HMAC-SHA256 of the raw body, keyed
 * with OZZOBIT_WEBHOOK_SECRET, compared in constant time. The computation itself is the provider
 * module's one function (verifyOzzobitSignature), shared with the simulator's tests.
 */
import { OZZOBIT_SIGNATURE_HEADER, verifyOzzobitSignature } from '../../activities/providers/ozzobit/ozzobit-webhook';
import { type WebhookVerifier, singleHeader } from './webhook-verifier';

export const OZZOBIT_SIGNATURE_SCHEME = 'hmac-sha256-hex';
const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

export function createOzzobitSignatureVerifier(secret: string): WebhookVerifier {
  if (secret.trim() === '') throw new Error('the OZZOBiT webhook verifier needs a secret (OZZOBIT_WEBHOOK_SECRET)');
  return {
    scheme: OZZOBIT_SIGNATURE_SCHEME,
    verify({ rawBody, headers }) {
      const signature = singleHeader(headers, OZZOBIT_SIGNATURE_HEADER);
      if (signature === undefined) return { ok: false, reason: `missing ${OZZOBIT_SIGNATURE_HEADER} header` };
      // Only the shape is named: nothing about the expected value leaks into the answer.
      if (!HEX_SHA256.test(signature.trim())) {
        return { ok: false, reason: `${OZZOBIT_SIGNATURE_HEADER} is not 64 hex characters (HMAC-SHA256)` };
      }
      if (!verifyOzzobitSignature(rawBody, signature, secret)) {
        return { ok: false, reason: `${OZZOBIT_SIGNATURE_HEADER} does not match the body` };
      }
      return { ok: true, payload: rawBody };
    },
  };
}
