import { ProviderCallError } from './provider-error';

/**
 * Turns what a fetch threw (abort, timeout, reset, refused connection) into a retryable provider
 * error. A ProviderCallError passes through unchanged.
 */
export function networkFailure(provider: string, error: unknown): ProviderCallError {
  if (error instanceof ProviderCallError) return error;
  const name = error instanceof Error ? error.name : 'Error';
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'TimeoutError') return new ProviderCallError('unavailable', `${provider} did not answer in time`);
  if (error instanceof SyntaxError) {
    return new ProviderCallError('invalid_response', `${provider} answered with malformed JSON: ${message}`);
  }
  return new ProviderCallError('unavailable', `${provider} request failed: ${message}${cause}`);
}
