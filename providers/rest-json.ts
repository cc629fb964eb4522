import { fetch } from 'undici';
import type { ZodType, ZodTypeDef } from 'zod';
import { boundText } from './bound-details';
import { networkFailure } from './http-failure';
import { ProviderCallError, kindForHttpStatus, parseRetryAfter } from './provider-error';
import { describeSchemaIssues } from './schema-issues';

/**
 * An order is a few hundred bytes, a page of a list some tens of kilobytes: anything past a
 * megabyte is not an answer we want in memory (or in a log excerpt), so reading stops there.
 */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface JsonRequest {
  /** The provider's display name, e.g. `Houdini`. */
  provider: string;
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Names the resource in messages: `order abc`, `the order list`. */
  what: string;
  /** Names the credentials in a refusal: `the secret key`. */
  credentials: string;
  /** What a 404 means: the order is unknown (default), or the URL is wrong (a list endpoint). */
  missing?: 'not_found' | { wrongUrl: string };
  /** Reads the provider's error body into a short message; the raw body (shortened) otherwise. */
  errorMessage?: (body: unknown) => string | undefined;
  /** The largest body read; MAX_RESPONSE_BYTES by default. */
  maxBytes?: number;
}

export class BodyTooLargeError extends Error {}

/** The body as text, read no further than `maxBytes` (the stream is cancelled there). */
export async function boundedText(body: AsyncIterable<Uint8Array> | null, maxBytes: number): Promise<string> {
  if (body === null) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new BodyTooLargeError();
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function excerpt(body: string, errorMessage: JsonRequest['errorMessage']): string {
  let message: string | undefined;
  try {
    message = errorMessage?.(JSON.parse(body));
  } catch {
    message = undefined;
  }
  const text = (message ?? body).replace(/\s+/g, ' ').trim();
  return text === '' ? '' : `: ${boundText(text.length > 200 ? `${text.slice(0, 199)}…` : text)}`;
}

function errorForStatus(request: JsonRequest, httpStatus: number, retryAfter: string | null, body: string): ProviderCallError {
  const kind = kindForHttpStatus(httpStatus);
  const retryAfterMs = parseRetryAfter(retryAfter, Date.now());
  const details = { httpStatus, ...(retryAfterMs !== undefined && { retryAfterMs }) };
  const detail = excerpt(body, request.errorMessage);
  if (kind === 'credentials_refused') {
    return new ProviderCallError(kind, `${request.provider} refused ${request.credentials} (HTTP ${httpStatus})${detail}`, details);
  }
  if (kind === 'not_found') {
    const missing = request.missing ?? 'not_found';
    return missing === 'not_found'
      ? new ProviderCallError(kind, `${request.provider} has no ${request.what}${detail}`, details)
      : new ProviderCallError('unavailable', `${request.provider} has no ${request.what} at this URL (HTTP 404): check ${missing.wrongUrl}`, details);
  }
  return new ProviderCallError(kind, `${request.provider} answered ${request.what} with HTTP ${httpStatus}${detail}`, details);
}

/**
 * One GET of a REST provider's JSON: its own timeout, the HTTP status mapped to a typed provider
 * error (Retry-After kept), malformed JSON named. Every failure is a ProviderCallError.
 */
export async function getProviderJson(request: JsonRequest): Promise<unknown> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  let httpStatus = 0;
  let retryAfter: string | null;
  let body: string;
  try {
    const response = await fetch(request.url, {
      headers: { Accept: 'application/json', ...request.headers },
      signal: request.signal ? AbortSignal.any([request.signal, timeout]) : timeout,
    });
    httpStatus = response.status;
    retryAfter = response.headers.get('retry-after');
    const maxBytes = request.maxBytes ?? MAX_RESPONSE_BYTES;
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (declared > maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw new BodyTooLargeError();
    }
    body = await boundedText(response.body, maxBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      throw new ProviderCallError('invalid_response', `${request.provider} answered ${request.what} with more than ${request.maxBytes ?? MAX_RESPONSE_BYTES} bytes`, { httpStatus });
    }
    // Checked by the signal, not the error's class: abort reasons may come from another realm.
    if (timeout.aborted && !request.signal?.aborted) {
      throw new ProviderCallError('unavailable', `${request.provider} did not answer ${request.what} in ${request.timeoutMs} ms`);
    }
    throw networkFailure(request.provider, error);
  }
  if (httpStatus < 200 || httpStatus >= 300) throw errorForStatus(request, httpStatus, retryAfter, body);
  try {
    return JSON.parse(body) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ProviderCallError('invalid_response', `${request.provider} answered ${request.what} with malformed JSON: ${reason}`, { httpStatus });
  }
}

/** Checks an answer against the provider's minimal schema, naming what did not match. */
export function parseProviderAnswer<T>(provider: string, what: string, schema: ZodType<T, ZodTypeDef, unknown>, json: unknown): T {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new ProviderCallError('invalid_response', `${provider} ${what} did not match the schema: ${describeSchemaIssues(parsed.error)}`);
  }
  return parsed.data;
}
