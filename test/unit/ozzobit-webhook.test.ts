/**
 * OZZOBiT webhook signatures (our reading: HMAC-SHA256 of the raw body); the envelope is read by
 * parseOzzobitWebhook (ozzobit-push-events.test.ts).
 */
import { createHmac } from 'node:crypto';
import { signOzzobitWebhook } from '../../providers/ozzobit/ozzobit-protocol';
import { verifyOzzobitSignature } from '../../providers/ozzobit/ozzobit-webhook';

const SECRET = 'whsec-test';
const BODY = JSON.stringify({ eventName: 'ORDER_COMPLETED', data: { id: 'o-1', status: 'COMPLETED', cryptoAmount: 98.42 } });

describe('signOzzobitWebhook / verifyOzzobitSignature', () => {
  const signature = createHmac('sha256', SECRET).update(BODY).digest('hex');

  it('signs as hex HMAC-SHA256 of the raw body', () => {
    expect(signOzzobitWebhook(BODY, SECRET)).toBe(signature);
    expect(signOzzobitWebhook(Buffer.from(BODY), SECRET)).toBe(signature);
  });

  it.each([
    ['the right signature', signature, BODY, true],
    ['upper-case hex', signature.toUpperCase(), BODY, true],
    ['surrounding spaces', ` ${signature} `, BODY, true],
    ['a re-serialised body', signature, JSON.stringify(JSON.parse(BODY), null, 1), false],
    ['another secret', createHmac('sha256', 'other').update(BODY).digest('hex'), BODY, false],
    ['a truncated signature', signature.slice(0, 63), BODY, false],
    ['a non-hex signature', 'z'.repeat(64), BODY, false],
    ['a sha256= prefixed signature', `sha256=${signature}`, BODY, true],
    ['a SHA256= prefixed signature', `SHA256=${signature}`, BODY, true],
    ['the base64 of the HMAC', createHmac('sha256', SECRET).update(BODY).digest('base64'), BODY, true],
    ['the base64url of the HMAC', createHmac('sha256', SECRET).update(BODY).digest('base64url'), BODY, true],
    ['the base64 of another secret’s HMAC', createHmac('sha256', 'other').update(BODY).digest('base64'), BODY, false],
    ['a prefixed base64 of too few bytes', `sha256=${Buffer.alloc(16).toString('base64')}`, BODY, false],
    ['no signature', undefined, BODY, false],
    ['a null header', null, BODY, false],
  ])('%s → %s', (_name, header, body, valid) => {
    expect(verifyOzzobitSignature(body, header, SECRET)).toBe(valid);
  });
});
