import { MAX_TOKEN_AGE_MS, signHs256Jwt, verifyHs256Jwt } from '../../providers/ozzobit/ozzobit-jwt';

const SECRET = 'jwt-secret';
const NOW = Date.parse('2026-12-07T12:00:00Z');
const seconds = (ms: number) => Math.floor(ms / 1000);

describe('verifyHs256Jwt: the age of a signed delivery (issue 29, R4)', () => {
  it.each([
    ['issued now', { iat: seconds(NOW) }, true],
    ['issued within the hour', { iat: seconds(NOW - MAX_TOKEN_AGE_MS + 60_000) }, true],
    ['without iat (nothing signed to bound: the ledger check covers it)', {}, true],
    ['issued over an hour ago: a replay', { iat: seconds(NOW - MAX_TOKEN_AGE_MS - 60_000) }, false],
    ['issued 4 minutes in our future (clock skew)', { iat: seconds(NOW + 240_000) }, true],
    ['issued 10 minutes in our future', { iat: seconds(NOW + 600_000) }, false],
  ])('%s → %p', (_name, claims, ok) => {
    const token = signHs256Jwt({ eventID: 'ORDER_PROCESSING', ...claims }, SECRET);
    expect(verifyHs256Jwt(token, SECRET, NOW).ok).toBe(ok);
  });

  it('names the replay in its reason', () => {
    const token = signHs256Jwt({ iat: seconds(NOW - 2 * MAX_TOKEN_AGE_MS) }, SECRET);
    expect(verifyHs256Jwt(token, SECRET, NOW)).toEqual({ ok: false, reason: expect.stringMatching(/\(iat\): a replay/) });
  });
});
