/** What went wrong talking to a provider, in the terms the retry policy cares about. */
export type ProviderErrorKind =
  | 'credentials_refused'
  | 'not_found'
  | 'rate_limited'
  | 'unavailable'
  | 'invalid_response'
  /** Another 4xx: the provider refuses this request as it is; retrying the same bytes will not help. */
  | 'rejected';

const RETRYABLE: Record<ProviderErrorKind, boolean> = {
  credentials_refused: false,
  not_found: false,
  rate_limited: true,
  unavailable: true,
  invalid_response: true,
  rejected: false,
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
  // 408 and 409 are the 4xx a retry can fix; other 4xx would fail the same way forever.
  if (status >= 400 && status < 500 && status !== 408 && status !== 409) return 'rejected';
  return 'unavailable';
}

/**
 * `Retry-After` in seconds or as an HTTP date; undefined when absent or unreadable. Capped at an
 * hour so a provider's typo cannot park an order for days.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const maximum = 60 * 60_000;
  const text = value.trim();
  // RFC 9110: delay-seconds is digits only; otherwise an HTTP date (which names a weekday or month).
  if (/^\d+$/.test(text)) return Math.min(maximum, Number(text) * 1000);
  if (!/^[A-Za-z]{3}, \d{1,2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isFinite(date) ? Math.min(maximum, Math.max(0, date - now)) : undefined;
}
