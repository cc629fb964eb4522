/** The OZZOBiT verifiers behind WebhookVerifier: HMAC-SHA256 of the raw body (hex, sha256=hex, base64), and the JWT reading. */
import { createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { createOzzobitSignatureVerifier } from '../../providers/ozzobit/ozzobit-webhook-verifier';
import { singleHeader } from '../../providers/webhook-verifier';

const SECRET = 'whsec-unit';
const BODY = Buffer.from(JSON.stringify({ eventName: 'ORDER_COMPLETED', data: { id: 'o-1', status: 'COMPLETED' } }));
const SIGNATURE = createHmac('sha256', SECRET).update(BODY).digest('hex');
const verifier = createOzzobitSignatureVerifier(SECRET);

const withSignature = (value: string | string[] | undefined): IncomingHttpHeaders =>
  value === undefined ? { 'content-type': 'application/json' } : { 'content-type': 'application/json', 'x-ozzobit-signature': value };

describe('createOzzobitSignatureVerifier', () => {
  it('accepts the right signature and hands back the very bytes it checked', () => {
    const verification = verifier.verify({ rawBody: BODY, headers: withSignature(SIGNATURE) });
    expect(verification).toEqual({ ok: true, payload: BODY });
    expect(verifier.scheme).toBe('hmac-sha256');
  });

  it.each([
    ['upper-case hex', SIGNATURE.toUpperCase()],
    ['surrounding spaces', ` ${SIGNATURE} `],
    ['a sha256= prefix', `sha256=${SIGNATURE}`],
    ['base64', createHmac('sha256', SECRET).update(BODY).digest('base64')],
  ])('accepts %s', (_name, header) => {
    expect(verifier.verify({ rawBody: BODY, headers: withSignature(header) }).ok).toBe(true);
  });

  const tampered = Buffer.from(BODY.toString('utf8').replace('COMPLETED"}', 'FAILED"}'));
  it.each([
    ['a missing header', BODY, undefined, /missing x-OZZOBiT-signature/],
    ['a repeated header', BODY, [SIGNATURE, SIGNATURE], /missing x-OZZOBiT-signature/],
    ['an empty header', BODY, '', /not an HMAC-SHA256/],
    ['another secret', BODY, createHmac('sha256', 'not-the-secret').update(BODY).digest('hex'), /does not match/],
    ['a tampered body', tampered, SIGNATURE, /does not match/],
    ['a re-serialised body', Buffer.from(JSON.stringify(JSON.parse(BODY.toString()), null, 2)), SIGNATURE, /does not match/],
    ['a truncated signature (wrong length)', BODY, SIGNATURE.slice(0, 63), /not an HMAC-SHA256/],
    ['a longer signature (wrong length)', BODY, `${SIGNATURE}00`, /not an HMAC-SHA256/],
    ['a non-hex signature', BODY, 'g'.repeat(64), /not an HMAC-SHA256/],
    ['a prefixed signature of another secret', BODY, `sha256=${createHmac('sha256', 'x').update(BODY).digest('hex')}`, /does not match/],
  ])('refuses %s, naming the problem but not the expected value', (_name, rawBody, header, reason) => {
    const verification = verifier.verify({ rawBody, headers: withSignature(header) });
    expect(verification.ok).toBe(false);
    if (verification.ok) return;
    expect(verification.reason).toMatch(reason);
    expect(verification.reason).not.toContain(SIGNATURE);
    expect(verification.reason).not.toContain(SECRET);
  });

  it('refuses to be built without a secret', () => {
    expect(() => createOzzobitSignatureVerifier(' ')).toThrow(/OZZOBIT_WEBHOOK_SECRET/);
  });
});

describe('singleHeader', () => {
  it.each([
    ['X-OZZOBiT-Signature', { 'x-ozzobit-signature': 'a' }, 'a'],
    ['x-ozzobit-signature', {}, undefined],
    ['x-ozzobit-signature', { 'x-ozzobit-signature': ['a', 'b'] }, undefined],
  ])('%s in %j → %s', (name, headers, value) => {
    expect(singleHeader(headers as IncomingHttpHeaders, name)).toBe(value);
  });
});
