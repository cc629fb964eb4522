import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * `X-Order-Tracker-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + raw body>`; during a
 * key rotation one `v1=` per secret. Receivers check any v1 against their secret and allow 300 s of skew.
 */
export const SIGNATURE_HEADER = 'X-Order-Tracker-Signature';
export const DEFAULT_TOLERANCE_SECONDS = 300;

function hmac(secret: string, timestamp: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

export function signCallback(body: string | Buffer, secrets: readonly string[], timestampSeconds: number): string {
  return [`t=${timestampSeconds}`, ...secrets.map((secret) => `v1=${hmac(secret, timestampSeconds, body)}`)].join(',');
}

/** For receivers (and our tests): true when some v1 matches the secret and t is within the tolerance. */
export function verifyCallbackSignature(
  header: string | undefined,
  body: string | Buffer,
  secret: string,
  nowSeconds: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): boolean {
  if (!header) return false;
  const parts = header.split(',').map((part) => part.trim().split('='));
  const timestamp = Number(parts.find(([name]) => name === 't')?.[1]);
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(hmac(secret, timestamp, body), 'hex');
  return parts
    .filter(([name, value]) => name === 'v1' && value !== undefined && /^[0-9a-f]{64}$/.test(value))
    .some(([, value]) => timingSafeEqual(Buffer.from(value as string, 'hex'), expected));
}
