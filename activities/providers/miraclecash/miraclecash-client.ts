import { fetch } from 'undici';
import type { Observation } from '../../../workflows/types';
import { boundDetails, boundText } from '../bound-details';
import { networkFailure } from '../http-failure';
import type { ProviderAdapter } from '../provider';
import { ProviderCallError, kindForHttpStatus, parseRetryAfter } from '../provider-error';
import { describeSchemaIssues } from '../schema-issues';
import { miracleCashExpiry, nextMiracleCashWait } from './miraclecash-cadence';
import { type MiracleCashPayment, miracleCashErrorSchema, miracleCashPaymentSchema } from './miraclecash-schema';
import { classifyMiracleCashStatus } from './miraclecash-status';

export interface MiracleCashSettings {
  /** The API base, before `/external/payments/prompt/:id` (what MIRACLECASH_URL holds). */
  url: string;
  clientId: string;
  apiKey: string;
  /** One request's limit; the activity's own timeout is longer. */
  requestTimeoutMs?: number;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;
const PROVIDER = 'MiracleCash';

export function toMiracleCashObservation(payment: MiracleCashPayment, now: number): Observation {
  const info = classifyMiracleCashStatus(payment.status);
  const expiresAt = miracleCashExpiry(payment.createdAt);
  return {
    status: payment.status,
    phase: info.phase,
    recognised: info.recognised,
    rank: info.rank,
    nextWaitMs: nextMiracleCashWait(payment.status, payment.createdAt, now),
    details: boundDetails({
      blockchainId: payment.blockchainId ?? null,
      createdAt: payment.createdAt ?? null,
      // The workflow's UI countdown reads `details.expiresAt`.
      expiresAt: expiresAt === undefined ? null : new Date(expiresAt).toISOString(),
    }),
  };
}

/** `Basic base64(client_id:api_key)`, exactly as the seed's curl example builds it. */
export function miracleCashAuthorization(clientId: string, apiKey: string): string {
  return `Basic ${Buffer.from(`${clientId}:${apiKey}`, 'utf8').toString('base64')}`;
}

export function miracleCashPaymentUrl(baseUrl: string, paymentId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/external/payments/prompt/${encodeURIComponent(paymentId)}`;
}

function errorMessageIn(body: string): string {
  try {
    const parsed = miracleCashErrorSchema.safeParse(JSON.parse(body));
    const message = parsed.success ? parsed.data.message : undefined;
    if (message === null || message === undefined) return '';
    return `: ${boundText(Array.isArray(message) ? message.join('; ') : message)}`;
  } catch {
    return '';
  }
}

function errorForStatus(httpStatus: number, body: string, retryAfter: string | null, paymentId: string): ProviderCallError {
  const kind = kindForHttpStatus(httpStatus);
  const retryAfterMs = kind === 'rate_limited' ? parseRetryAfter(retryAfter, Date.now()) : undefined;
  const reason =
    kind === 'credentials_refused'
      ? `refused the client id and API key (HTTP ${httpStatus})`
      : kind === 'not_found'
        ? `has no payment prompt ${paymentId}`
        : `answered HTTP ${httpStatus}`;
  return new ProviderCallError(kind, `${PROVIDER} ${reason}${errorMessageIn(body)}`, {
    httpStatus,
    ...(retryAfterMs !== undefined && { retryAfterMs }),
  });
}

function parsePayment(body: string, paymentId: string): MiracleCashPayment {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new ProviderCallError('invalid_response', `${PROVIDER} answered with malformed JSON: ${(error as Error).message}`);
  }
  const parsed = miracleCashPaymentSchema.safeParse(json);
  if (!parsed.success) {
    throw new ProviderCallError('invalid_response', `${PROVIDER} answer did not match the schema: ${describeSchemaIssues(parsed.error)}`);
  }
  const answeredId = parsed.data.id;
  if (answeredId !== null && answeredId !== undefined && answeredId !== paymentId) {
    throw new ProviderCallError('invalid_response', `${PROVIDER} answered for payment ${boundText(answeredId)}, not ${paymentId}`);
  }
  return parsed.data;
}

/** Polls `GET {url}/external/payments/prompt/:id`; the order id is the payment prompt id. */
export function createMiracleCashAdapter(settings: MiracleCashSettings): ProviderAdapter {
  const timeoutMs = settings.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const authorization = miracleCashAuthorization(settings.clientId, settings.apiKey);
  return {
    name: 'miraclecash',
    async fetchOrder(orderId: string, signal?: AbortSignal): Promise<Observation> {
      const timeout = AbortSignal.timeout(timeoutMs);
      let httpStatus: number;
      let body: string;
      let retryAfter: string | null;
      try {
        const response = await fetch(miracleCashPaymentUrl(settings.url, orderId), {
          headers: { Authorization: authorization, Accept: 'application/json' },
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
        httpStatus = response.status;
        retryAfter = response.headers.get('retry-after');
        body = await response.text();
      } catch (error) {
        throw networkFailure(PROVIDER, error);
      }
      if (httpStatus < 200 || httpStatus >= 300) throw errorForStatus(httpStatus, body, retryAfter, orderId);
      return toMiracleCashObservation(parsePayment(body, orderId), Date.now());
    },
  };
}
