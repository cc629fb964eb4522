/** OZZOBIT_WEBHOOK_SCHEME=jwt: `{ data: "<HS256 JWT>" }`, the event in the claims, keyed with the webhook secret. */
import { createHmac } from 'node:crypto';
import { signHs256Jwt } from '../../providers/ozzobit/ozzobit-jwt';
import { parseOzzobitWebhook } from '../../providers/ozzobit/ozzobit-events';
import { createOzzobitJwtVerifier, createOzzobitWebhookVerifier } from '../../providers/ozzobit/ozzobit-webhook-verifier';

const SECRET = 'jwt-secret-unit';
const NOW = Date.parse('2026-01-01T00:00:00Z');
const CLAIMS = { eventID: 'ORDER_COMPLETED', webhookData: { id: 'o-1', status: 'COMPLETED' }, iat: NOW / 1000 };
const verifier = createOzzobitJwtVerifier(SECRET, () => NOW);
const bodyOf = (value: unknown) => Buffer.from(JSON.stringify(value));

function forged(header: Record<string, unknown>, claims: Record<string, unknown>, key: string): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode(header)}.${encode(claims)}`;
  return `${unsigned}.${createHmac('sha256', key).update(unsigned).digest('base64url')}`;
}

describe('createOzzobitJwtVerifier', () => {
  it('hands the verified claims to the route, which reads the order in them', () => {
    const verification = verifier.verify({ rawBody: bodyOf({ data: signHs256Jwt(CLAIMS, SECRET), extra: true }), headers: {} });
    expect(verification.ok).toBe(true);
    if (!verification.ok) return;
    expect(JSON.parse(verification.payload.toString())).toEqual(CLAIMS);
    expect(parseOzzobitWebhook(verification.payload, NOW)).toMatchObject({ ok: true, orderId: 'o-1', observation: { status: 'COMPLETED', phase: 'succeeded' } });
  });

  it.each([
    ['a body that is not JSON', Buffer.from('eyJ'), /not JSON/],
    ['no token in data', bodyOf({ eventName: 'ORDER_COMPLETED', data: CLAIMS.webhookData }), /no JWT/],
    ['a token of another secret', bodyOf({ data: signHs256Jwt(CLAIMS, 'another') }), /signature does not match/],
    ['a token with alg none', bodyOf({ data: `${forged({ alg: 'none' }, CLAIMS, SECRET).split('.').slice(0, 2).join('.')}.` }), /not HS256/],
    ['a token with alg HS512', bodyOf({ data: forged({ alg: 'HS512' }, CLAIMS, SECRET) }), /not HS256/],
    ['an expired token', bodyOf({ data: signHs256Jwt({ ...CLAIMS, exp: NOW / 1000 - 60 }, SECRET) }), /expired/],
    ['two parts', bodyOf({ data: 'abc.def' }), /not a JWT/],
  ])('refuses %s, naming the problem but not the secret', (_name, rawBody, reason) => {
    const verification = verifier.verify({ rawBody, headers: {} });
    expect(verification.ok).toBe(false);
    if (verification.ok) return;
    expect(verification.reason).toMatch(reason);
    expect(verification.reason).not.toContain(SECRET);
  });

  it('is what OZZOBIT_WEBHOOK_SCHEME selects', () => {
    expect(createOzzobitWebhookVerifier('jwt', SECRET).scheme).toBe('jwt-hs256');
    expect(createOzzobitWebhookVerifier('hmac', SECRET).scheme).toBe('hmac-sha256');
    expect(() => createOzzobitWebhookVerifier('jwt', '')).toThrow(/OZZOBIT_WEBHOOK_SECRET/);
  });
});
