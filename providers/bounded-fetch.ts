/**
 * undici's fetch for clients that read the body themselves (graphql-request, for Magma): the body is
 * read here, no further than MAX_RESPONSE_BYTES, and handed on as a new response. A Magma answer of
 * 400 MB was read whole before (1.8 GB RSS: issue 29, R9); the REST providers' cap (rest-json.ts)
 * now covers GraphQL too. Past the cap: a ProviderCallError (`invalid_response`), retried like any
 * unusable answer.
 */
import { Response, fetch as undiciFetch } from 'undici';
import { ProviderCallError } from './provider-error';
import { BodyTooLargeError, MAX_RESPONSE_BYTES, boundedText } from './rest-json';

export function boundedFetch(provider: string, maxBytes = MAX_RESPONSE_BYTES): typeof fetch {
  const bounded = async (input: Parameters<typeof undiciFetch>[0], init?: Parameters<typeof undiciFetch>[1]) => {
    const response = await undiciFetch(input, init);
    let text: string;
    try {
      if (Number(response.headers.get('content-length') ?? Number.NaN) > maxBytes) throw new BodyTooLargeError();
      text = await boundedText(response.body, maxBytes);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      await response.body?.cancel().catch(() => undefined);
      throw new ProviderCallError('invalid_response', `${provider} answered with more than ${maxBytes} bytes`, { httpStatus: response.status });
    }
    return new Response(text === '' ? null : text, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
  return bounded as unknown as typeof fetch;
}
