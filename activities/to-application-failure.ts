import { ApplicationFailure } from '@temporalio/activity';
import { ErrorType } from '../workflows/error-types';
import { ProviderCallError, type ProviderErrorKind } from '../providers/provider-error';

const TYPE_FOR_KIND: Record<ProviderErrorKind, string> = {
  credentials_refused: ErrorType.credentialsRefused,
  not_found: ErrorType.orderNotFound,
  rate_limited: ErrorType.rateLimited,
  unavailable: ErrorType.unavailable,
  invalid_response: ErrorType.invalidResponse,
  rejected: ErrorType.requestRejected,
};

/**
 * The one place provider errors become Temporal failures: the type the workflow and retry policy
 * recognise, whether to retry, and when (a 429's Retry-After, never under the per-order floor).
 */
export function toApplicationFailure(error: unknown, minRequestGapMs: number): ApplicationFailure {
  if (!(error instanceof ProviderCallError)) {
    const message = error instanceof Error ? error.message : String(error);
    return ApplicationFailure.create({ type: ErrorType.unavailable, message, cause: error instanceof Error ? error : undefined });
  }
  const rateLimited = error.kind === 'rate_limited';
  return ApplicationFailure.create({
    type: TYPE_FOR_KIND[error.kind],
    message: error.message,
    nonRetryable: !error.isRetryable,
    nextRetryDelay: rateLimited ? Math.max(error.details.retryAfterMs ?? minRequestGapMs, minRequestGapMs) : undefined,
    details: [{ kind: error.kind, httpStatus: error.details.httpStatus ?? null }],
  });
}
