/** What went wrong talking to a provider, in the terms the retry policy cares about. */
export type ProviderErrorKind =
  | 'credentials_refused'
  | 'not_found'
  | 'rate_limited'
  | 'unavailable'
  | 'invalid_response';

const RETRYABLE: Record<ProviderErrorKind, boolean> = {
  credentials_refused: false,
  not_found: false,
  rate_limited: true,
  unavailable: true,
  invalid_response: true,
};

/** Thrown by every provider adapter; one helper turns it into a Temporal failure. */
export class ProviderCallError extends Error {
  override readonly name = 'ProviderCallError';

  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly details: { httpStatus?: number; retryAfterMs?: number } = {},
  ) {
    super(message);
  }

  get isRetryable(): boolean {
    return RETRYABLE[this.kind];
  }
}

/** Maps an HTTP status the provider answered to the kind of error it means. */
export function kindForHttpStatus(status: number): ProviderErrorKind {
  if (status === 401 || status === 403) return 'credentials_refused';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  return 'unavailable';
}

/**
 * `Retry-After` in seconds or as an HTTP date; undefined when absent or unreadable. Capped at an
 * hour so a provider's typo cannot park an order for days.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const maximum = 60 * 60_000;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.min(maximum, Math.max(0, seconds * 1000));
  const date = Date.parse(value);
  if (Number.isFinite(date)) return Math.min(maximum, Math.max(0, date - now));
  return undefined;
}
