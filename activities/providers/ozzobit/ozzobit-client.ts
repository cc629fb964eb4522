import { fetch } from 'undici';
import type { Observation } from '../../../workflows/types';
import { boundText } from '../bound-details';
import { networkFailure } from '../http-failure';
import type { ProviderAdapter } from '../provider';
import { ProviderCallError, kindForHttpStatus, parseRetryAfter } from '../provider-error';
import { describeSchemaIssues } from '../schema-issues';
import { normalizeOzzobitOrder } from './ozzobit-normalize';
import { type OzzobitOrder, ozzobitErrorSchema, ozzobitOrderSchema } from './ozzobit-schema';

export interface OzzobitSettings {
  /**
   * The base before `/api/v2/orders/:id` (what OZZOBIT_URL holds). The seed's own URL,
   * `https://OZZOBiT.com/api/api/v2/orders/…`, means a base of `https://OZZOBiT.com/api`.
   */
  url: string;
  /** The secret API key, sent as `Authorization: Bearer …` (OZZOBIT_SECRET_KEY). */
  secretKey: string;
  /** One request's limit; the activity's own timeout is longer. */
  requestTimeoutMs?: number;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;
const PROVIDER = 'OZZOBiT';

export function ozzobitOrderUrl(baseUrl: string, orderId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/api/v2/orders/${encodeURIComponent(orderId)}`;
}

function errorMessageIn(body: string): string {
  try {
    const parsed = ozzobitErrorSchema.safeParse(JSON.parse(body));
    const message = parsed.success ? (parsed.data.error?.message ?? parsed.data.message) : undefined;
    return message ? `: ${boundText(message)}` : '';
  } catch {
    return '';
  }
}

function errorForStatus(httpStatus: number, body: string, retryAfter: string | null, orderId: string): ProviderCallError {
  const kind = kindForHttpStatus(httpStatus);
  const retryAfterMs = kind === 'rate_limited' ? parseRetryAfter(retryAfter, Date.now()) : undefined;
  const reason =
    kind === 'credentials_refused'
      ? `refused the secret key (HTTP ${httpStatus})`
      : kind === 'not_found'
        ? `has no order ${orderId}`
        : `answered HTTP ${httpStatus}`;
  return new ProviderCallError(kind, `${PROVIDER} ${reason}${errorMessageIn(body)}`, {
    httpStatus,
    ...(retryAfterMs !== undefined && { retryAfterMs }),
  });
}

/** The seed reads `data.status` straight off the JSON body: the order is the body itself. */
function parseOrder(body: string, orderId: string): OzzobitOrder {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new ProviderCallError('invalid_response', `${PROVIDER} answered with malformed JSON: ${(error as Error).message}`);
  }
  const parsed = ozzobitOrderSchema.safeParse(json);
  if (!parsed.success) {
    throw new ProviderCallError('invalid_response', `${PROVIDER} answer did not match the schema: ${describeSchemaIssues(parsed.error)}`);
  }
  if (parsed.data.id !== orderId) {
    throw new ProviderCallError('invalid_response', `${PROVIDER} answered for order ${boundText(parsed.data.id)}, not ${orderId}`);
  }
  return parsed.data;
}

/** Polls `GET {url}/api/v2/orders/:id` with the secret key. */
export function createOzzobitAdapter(settings: OzzobitSettings): ProviderAdapter {
  const timeoutMs = settings.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return {
    name: 'ozzobit',
    async fetchOrder(orderId: string, signal?: AbortSignal): Promise<Observation> {
      const timeout = AbortSignal.timeout(timeoutMs);
      let httpStatus: number;
      let body: string;
      let retryAfter: string | null;
      try {
        const response = await fetch(ozzobitOrderUrl(settings.url, orderId), {
          headers: { Authorization: `Bearer ${settings.secretKey}`, Accept: 'application/json' },
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
        httpStatus = response.status;
        retryAfter = response.headers.get('retry-after');
        body = await response.text();
      } catch (error) {
        throw networkFailure(PROVIDER, error);
      }
      if (httpStatus < 200 || httpStatus >= 300) throw errorForStatus(httpStatus, body, retryAfter, orderId);
      return normalizeOzzobitOrder(parseOrder(body, orderId), Date.now());
    },
  };
}
