import {
  ProviderCallError,
  type ProviderErrorKind,
  kindForHttpStatus,
  parseRetryAfter,
} from '../../providers/provider-error';

const NOW = Date.parse('2026-06-10T18:00:00.000Z');
const HOUR_MS = 3_600_000;

describe('kindForHttpStatus', () => {
  it.each([
    [400, 'rejected'],
    [422, 'rejected'],
    [401, 'credentials_refused'],
    [403, 'credentials_refused'],
    [404, 'not_found'],
    [429, 'rate_limited'],
    [408, 'unavailable'],
    [409, 'unavailable'],
    [500, 'unavailable'],
    [502, 'unavailable'],
    [503, 'unavailable'],
    [504, 'unavailable'],
  ] as [number, ProviderErrorKind][])('%i → %s', (status, kind) => {
    expect(kindForHttpStatus(status)).toBe(kind);
  });
});

describe('ProviderCallError.isRetryable', () => {
  it.each([
    ['credentials_refused', false],
    ['not_found', false],
    ['rate_limited', true],
    ['unavailable', true],
    ['invalid_response', true],
  ] as [ProviderErrorKind, boolean][])('%s → %s', (kind, retryable) => {
    const error = new ProviderCallError(kind, 'message', { httpStatus: 500 });
    expect(error.isRetryable).toBe(retryable);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ProviderCallError');
    expect(error.message).toBe('message');
  });

  it('defaults details to an empty object', () => {
    expect(new ProviderCallError('unavailable', 'x').details).toEqual({});
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['absent', undefined, undefined],
    ['null', null, undefined],
    ['empty', '', undefined],
    ['blank', '   ', undefined],
    ['seconds', '3', 3_000],
    ['zero seconds', '0', 0],
    ['seconds with spaces', ' 7 ', 7_000],
    ['fractional seconds (RFC 9110 allows digits only)', '1.5', undefined],
    ['two minutes', '120', 120_000],
    ['exactly the cap', '3600', HOUR_MS],
    ['seconds above the cap', '86400', HOUR_MS],
    ['HTTP-date 30 s ahead', new Date(NOW + 30_000).toUTCString(), 30_000],
    ['HTTP-date (IMF-fixdate) 90 s ahead', 'Wed, 10 Jun 2026 18:01:30 GMT', 90_000],
    ['HTTP-date in the past', 'Wed, 10 Jun 2026 17:00:00 GMT', 0],
    ['HTTP-date a day ahead (capped)', 'Thu, 11 Jun 2026 18:00:00 GMT', HOUR_MS],
    ['garbage word', 'soon', undefined],
    ['garbage phrase', 'one hour', undefined],
    ['Infinity', 'Infinity', undefined],
    ['a word before the seconds', 'later 5', undefined],
    ['negative seconds', '-5', undefined],
    ['hexadecimal', '0x10', undefined],
    ['exponent', '1e3', undefined],
    ['decimal fraction', '5.5', undefined],
  ] as [string, string | null | undefined, number | undefined][])('%s (%j) → %s', (_name, value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});
