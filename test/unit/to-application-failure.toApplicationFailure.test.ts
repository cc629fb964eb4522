import { ApplicationFailure } from '@temporalio/common';
import { ProviderCallError, type ProviderErrorKind } from '../../providers/provider-error';
import { toApplicationFailure } from '../../activities/to-application-failure';
import { ErrorType } from '../../workflows/error-types';

const FLOOR_MS = 5_000;

describe('toApplicationFailure', () => {
  it.each([
    ['credentials_refused', 401, ErrorType.credentialsRefused, true],
    ['not_found', 404, ErrorType.orderNotFound, true],
    ['rate_limited', 429, ErrorType.rateLimited, false],
    ['unavailable', 503, ErrorType.unavailable, false],
    ['invalid_response', undefined, ErrorType.invalidResponse, false],
  ] as [ProviderErrorKind, number | undefined, string, boolean][])(
    '%s (HTTP %s) → %s, nonRetryable %s',
    (kind, httpStatus, type, nonRetryable) => {
      const failure = toApplicationFailure(new ProviderCallError(kind, `went ${kind}`, { httpStatus }), FLOOR_MS);
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect(failure.type).toBe(type);
      expect(failure.nonRetryable).toBe(nonRetryable);
      expect(failure.message).toBe(`went ${kind}`);
      expect(failure.details).toEqual([{ kind, httpStatus: httpStatus ?? null }]);
      if (kind !== 'rate_limited') expect(failure.nextRetryDelay).toBeUndefined();
    },
  );

  it('uses the constant type names of workflows/error-types', () => {
    expect(ErrorType).toMatchObject({
      credentialsRefused: 'ProviderCredentialsRefused',
      orderNotFound: 'ProviderOrderNotFound',
      rateLimited: 'ProviderRateLimited',
      unavailable: 'ProviderUnavailable',
      invalidResponse: 'ProviderInvalidResponse',
    });
  });

  it.each([
    ['Retry-After 30 s', 30_000, FLOOR_MS, 30_000],
    ['Retry-After 1 s is raised to the floor', 1_000, FLOOR_MS, FLOOR_MS],
    ['Retry-After 0 is raised to the floor', 0, FLOOR_MS, FLOOR_MS],
    ['no Retry-After: the floor', undefined, FLOOR_MS, FLOOR_MS],
    ['Retry-After exactly the floor', FLOOR_MS, FLOOR_MS, FLOOR_MS],
    ['a larger floor wins over a short Retry-After', 3_000, 12_000, 12_000],
  ] as [string, number | undefined, number, number][])('429: %s', (_name, retryAfterMs, floorMs, expected) => {
    const error = new ProviderCallError('rate_limited', 'slow down', { httpStatus: 429, retryAfterMs });
    const failure = toApplicationFailure(error, floorMs);
    expect(failure.nextRetryDelay).toBe(expected);
    expect(failure.nextRetryDelay as number).toBeGreaterThanOrEqual(floorMs);
  });

  it('ignores Retry-After for errors other than 429', () => {
    const error = new ProviderCallError('unavailable', 'busy', { httpStatus: 503, retryAfterMs: 60_000 });
    expect(toApplicationFailure(error, FLOOR_MS).nextRetryDelay).toBeUndefined();
  });

  it.each([
    ['a plain Error', new Error('boom'), 'boom'],
    ['a string', 'bad thing', 'bad thing'],
  ] as [string, unknown, string][])('%s becomes a retryable ProviderUnavailable', (_name, thrown, message) => {
    const failure = toApplicationFailure(thrown, FLOOR_MS);
    expect(failure.type).toBe(ErrorType.unavailable);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toBe(message);
    expect(failure.nextRetryDelay).toBeUndefined();
  });

  it('keeps an unexpected Error as the cause', () => {
    const thrown = new Error('boom');
    expect(toApplicationFailure(thrown, FLOOR_MS).cause).toBe(thrown);
  });
});
