import { networkFailure } from '../../providers/http-failure';
import { ProviderCallError, type ProviderErrorKind } from '../../providers/provider-error';

function named(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

describe('networkFailure', () => {
  it.each([
    ['a timeout', named('TimeoutError', 'The operation was aborted due to timeout'), 'unavailable', 'Magma did not answer in time'],
    ['malformed JSON', new SyntaxError('Unexpected token < in JSON'), 'invalid_response', 'Magma answered with malformed JSON: Unexpected token < in JSON'],
    ['an abort', named('AbortError', 'This operation was aborted'), 'unavailable', 'Magma request failed: This operation was aborted'],
    [
      'a refused connection with its cause',
      new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') }),
      'unavailable',
      'Magma request failed: fetch failed: connect ECONNREFUSED 127.0.0.1:1',
    ],
    ['a non-Error cause is not appended', new TypeError('fetch failed', { cause: 'reset' }), 'unavailable', 'Magma request failed: fetch failed'],
    ['a thrown string', 'socket hang up', 'unavailable', 'Magma request failed: socket hang up'],
    ['undefined', undefined, 'unavailable', 'Magma request failed: undefined'],
  ] as [string, unknown, ProviderErrorKind, string][])('%s', (_name, thrown, kind, message) => {
    const failure = networkFailure('Magma', thrown);
    expect(failure).toBeInstanceOf(ProviderCallError);
    expect(failure.kind).toBe(kind);
    expect(failure.message).toBe(message);
    expect(failure.isRetryable).toBe(true);
  });

  it('passes a ProviderCallError through unchanged', () => {
    const original = new ProviderCallError('credentials_refused', 'Magma refused the API key', { httpStatus: 401 });
    expect(networkFailure('Magma', original)).toBe(original);
  });

  it('names the provider it is given', () => {
    expect(networkFailure('Houdini', new Error('boom')).message).toBe('Houdini request failed: boom');
  });
});
