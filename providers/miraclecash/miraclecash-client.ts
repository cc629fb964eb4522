import type { Observation } from '../../domain/types';
import { boundText } from '../bound-details';
import { type ProviderClock, SYSTEM_CLOCK } from '../provider-clock';
import type { ProviderAdapter } from '../provider';
import { ProviderCallError } from '../provider-error';
import { sameOrderId } from '../same-order-id';
import { countUnrecognisedStatus } from '../status-attention';
import { withAnswer } from '../provider-answer';
import { toObservation } from '../status-class';
import { getProviderJson, parseProviderAnswer } from '../rest-json';
import { MIRACLECASH_MAX_POLL_MS, miracleCashExpiry, nextMiracleCashWait } from './miraclecash-cadence';
import { type MiracleCashPayment, miracleCashErrorSchema, miracleCashPaymentSchema } from './miraclecash-schema';
import { classifyMiracleCashStatus } from './miraclecash-status';

export interface MiracleCashSettings {
  /** The API base, before `/external/payments/prompt/:id` (what MIRACLECASH_URL holds). */
  url: string;
  clientId: string;
  apiKey: string;
  /** One request's limit; the activity's own timeout is longer. */
  requestTimeoutMs?: number;
  /** The longest wait between polls of an open payment (MIRACLECASH_MAX_POLL; the seed's 5 s by default). */
  maxPollMs?: number;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;
const PROVIDER = 'MiracleCash';

export function toMiracleCashObservation(
  payment: MiracleCashPayment,
  now: number,
  clock: ProviderClock = SYSTEM_CLOCK,
  maxPollMs = MIRACLECASH_MAX_POLL_MS,
): Observation {
  const info = classifyMiracleCashStatus(payment.status);
  const expiresAt = miracleCashExpiry(payment.createdAt);
  const nextWaitMs = clock.wallWait(nextMiracleCashWait(payment.status, clock.providerTime(payment.createdAt, now), now, maxPollMs));
  return toObservation(payment.status, info, nextWaitMs, {
    blockchainId: payment.blockchainId ?? null,
    createdAt: payment.createdAt ?? null,
    // The workflow's UI countdown reads `details.expiresAt`.
    expiresAt: expiresAt === undefined ? null : new Date(expiresAt).toISOString(),
  });
}

/** `Basic base64(client_id:api_key)`, exactly as the seed's curl example builds it. */
export function miracleCashAuthorization(clientId: string, apiKey: string): string {
  return `Basic ${Buffer.from(`${clientId}:${apiKey}`, 'utf8').toString('base64')}`;
}

export function miracleCashPaymentUrl(baseUrl: string, paymentId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/external/payments/prompt/${encodeURIComponent(paymentId)}`;
}

/** NestJS-style `{ message }` (a string or a list of them). */
function errorMessageIn(body: unknown): string | undefined {
  const parsed = miracleCashErrorSchema.safeParse(body);
  const message = parsed.success ? parsed.data.message : undefined;
  return message === null || message === undefined ? undefined : Array.isArray(message) ? message.join('; ') : message;
}

function parsePayment(json: unknown, paymentId: string): MiracleCashPayment {
  const payment = parseProviderAnswer(PROVIDER, 'answer', miracleCashPaymentSchema, json);
  const answeredId = payment.id;
  if (answeredId !== null && answeredId !== undefined && !sameOrderId(answeredId, paymentId)) {
    throw new ProviderCallError('invalid_response', `${PROVIDER} answered for payment ${boundText(answeredId)}, not ${paymentId}`);
  }
  return payment;
}

/** Polls `GET {url}/external/payments/prompt/:id`; the order id is the payment prompt id. */
export function createMiracleCashAdapter(settings: MiracleCashSettings, clock: ProviderClock = SYSTEM_CLOCK): ProviderAdapter {
  const timeoutMs = settings.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const authorization = miracleCashAuthorization(settings.clientId, settings.apiKey);
  return {
    name: 'miraclecash',
    async fetchOrder(orderId: string, signal?: AbortSignal): Promise<Observation> {
      const json = await getProviderJson({
        provider: PROVIDER,
        url: miracleCashPaymentUrl(settings.url, orderId),
        headers: { Authorization: authorization },
        timeoutMs,
        signal,
        what: `payment prompt ${orderId}`,
        credentials: 'the client id and API key',
        errorMessage: errorMessageIn,
      });
      const observation = toMiracleCashObservation(parsePayment(json, orderId), Date.now(), clock, settings.maxPollMs);
      return withAnswer(countUnrecognisedStatus('miraclecash', observation), json);
    },
  };
}
