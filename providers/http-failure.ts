import { ProviderCallError } from './provider-error';

/**
 * Turns what a fetch threw (abort, timeout, reset, refused connection) into a retryable provider
 * error. A ProviderCallError passes through unchanged.
 */
export function networkFailure(provider: string, error: unknown): ProviderCallError {
  if (error instanceof ProviderCallError) return error;
  // Read by name, not instanceof: errors from undici or another realm (jest) are not our Error.
  const shaped = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; message?: unknown; cause?: { message?: unknown } };
  const name = typeof shaped.name === 'string' ? shaped.name : 'Error';
  const message = typeof shaped.message === 'string' ? shaped.message : String(error);
  const cause = typeof shaped.cause?.message === 'string' ? `: ${shaped.cause.message}` : '';
  if (name === 'TimeoutError') return new ProviderCallError('unavailable', `${provider} did not answer in time`);
  if (name === 'SyntaxError') {
    return new ProviderCallError('invalid_response', `${provider} answered with malformed JSON: ${message}`);
  }
  return new ProviderCallError('unavailable', `${provider} request failed: ${message}${cause}`);
}
