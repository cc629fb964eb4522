/**
 * HS256 JSON Web Tokens, the other reading of OZZOBiT's webhook "decryption guide": the body is
 * `{ data: "<JWT>" }` and the event is the token's claims, signed with OZZOBIT_WEBHOOK_SECRET.
 * Only HS256 is accepted (never `none` or an algorithm the token picks for us), and an `exp` claim
 * in the past refuses the token. The one time the provider signs, `iat`, bounds how old a delivery
 * may be (MAX_TOKEN_AGE_MS): a captured webhook cannot be replayed for ever (issue 29, R4; where no
 * time is signed, the ingress's ledger check refuses a replay that has nothing new).
 * Reasons name what was wrong, never the secret or expected value.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Longer than a provider's webhook retries of one delivery usually take; a status it missed, the order's polls see. */
export const MAX_TOKEN_AGE_MS = 3_600_000;
/** Clocks differ: a token issued up to this far in our future is still taken. */
const ALLOWED_CLOCK_SKEW_MS = 300_000;

export type JwtVerification = { ok: true; claims: Record<string, unknown> } | { ok: false; reason: string };

function base64UrlJson(part: string): unknown {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function signHs256Jwt(claims: Record<string, unknown>, secret: string): string {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

export function verifyHs256Jwt(token: string, secret: string, now: number): JwtVerification {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]*$/.test(part))) {
    return { ok: false, reason: 'not a JWT (three base64url parts)' };
  }
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  let header: unknown;
  let claims: unknown;
  try {
    header = base64UrlJson(headerPart);
    claims = base64UrlJson(payloadPart);
  } catch {
    return { ok: false, reason: 'JWT header or claims are not base64url JSON' };
  }
  if (!isRecord(header) || header.alg !== 'HS256') return { ok: false, reason: 'JWT algorithm is not HS256' };
  const expected = createHmac('sha256', secret).update(`${headerPart}.${payloadPart}`).digest();
  const given = Buffer.from(signaturePart, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'JWT signature does not match' };
  }
  if (!isRecord(claims)) return { ok: false, reason: 'JWT claims are not an object' };
  if (typeof claims.exp === 'number' && claims.exp * 1000 < now) return { ok: false, reason: 'JWT has expired (exp)' };
  if (typeof claims.iat === 'number' && now - claims.iat * 1000 > MAX_TOKEN_AGE_MS) {
    return { ok: false, reason: `JWT was issued more than ${MAX_TOKEN_AGE_MS / 60_000} minutes ago (iat): a replay` };
  }
  if (typeof claims.iat === 'number' && claims.iat * 1000 - now > ALLOWED_CLOCK_SKEW_MS) return { ok: false, reason: 'JWT was issued in the future (iat)' };
  return { ok: true, claims };
}
