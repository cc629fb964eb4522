import { REDACTED, isCredentialKey, redactAnswer } from '../../activities/audit/redact-answer';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJvcmRlciI6IjEyMyJ9.c2lnbmF0dXJlLWJ5dGVz';

describe('isCredentialKey', () => {
  it.each(['secret', 'apiKey', 'api_key', 'API-KEY', 'secretKey', 'clientSecret', 'token', 'accessToken', 'refresh_token', 'authorization', 'signature', 'x-OZZOBiT-signature', 'privateKey', 'password', 'credentials'])(
    '%s names a credential',
    (key) => expect(isCredentialKey(key)).toBe(true),
  );

  it.each(['status', 'transaction_id', 'transactionHash', 'tokenAmount', 'cryptoCurrency', 'walletAddress', 'outTxHash', 'keyring', 'signed'])(
    '%s does not',
    (key) => expect(isCredentialKey(key)).toBe(false),
  );
});

describe('redactAnswer', () => {
  it('replaces the values under credential keys at any depth, keeping the rest of the answer whole', () => {
    const answer = { id: 'o-1', status: 'PROCESSING', partner: { apiKey: 'k-1', name: 'shop' }, hooks: [{ url: 'https://x', signature: 'abc' }], token: null };
    expect(redactAnswer(answer, [])).toEqual({
      id: 'o-1',
      status: 'PROCESSING',
      partner: { apiKey: REDACTED, name: 'shop' },
      hooks: [{ url: 'https://x', signature: REDACTED }],
      token: null,
    });
  });

  it('replaces a configured secret wherever it appears in a string, and any JWT', () => {
    const answer = { note: 'called back with key sk_live_123456 at 10:00', echo: `Bearer ${JWT}`, count: 3, ok: true };
    expect(redactAnswer(answer, ['sk_live_123456'])).toEqual({ note: `called back with key ${REDACTED} at 10:00`, echo: `Bearer ${REDACTED}`, count: 3, ok: true });
  });

  it('ignores secrets too short to be told from ordinary text', () => {
    expect(redactAnswer({ status: 'PAID' }, ['PAID', ''])).toEqual({ status: 'PAID' });
  });

  it('leaves scalars and arrays of scalars as they are', () => {
    expect(redactAnswer([1, 'two', null], ['nothing-here'])).toEqual([1, 'two', null]);
    expect(redactAnswer(null, [])).toBeNull();
  });
});
