import type { Observation } from '../../domain/types';
import { boundText } from '../bound-details';
import type { ProviderAdapter } from '../provider';
import { type ProviderClock, SYSTEM_CLOCK } from '../provider-clock';
import { ProviderCallError } from '../provider-error';
import { getProviderJson, parseProviderAnswer } from '../rest-json';
import { normalizeOzzobitOrder } from './ozzobit-normalize';
import { sameOrderId } from '../same-order-id';
import { countUnrecognisedStatus } from '../status-attention';
import { withAnswer } from '../provider-answer';
import { type OzzobitOrder, ozzobitErrorSchema, ozzobitOrderIdOf, ozzobitOrderIn, ozzobitOrderSchema } from './ozzobit-schema';

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

/** `{ error: { message } }`, or a bare `{ message }`. */
function errorMessageIn(body: unknown): string | undefined {
  const parsed = ozzobitErrorSchema.safeParse(body);
  return parsed.success ? (parsed.data.error?.message ?? parsed.data.message ?? undefined) : undefined;
}

/**
 * The seed reads `data.status` straight off the JSON body (the order is the body itself); a
 * `{ data: <order> }` envelope is read too (ozzobitOrderIn). The id is checked only when the answer
 * has one, case-insensitively.
 */
function parseOrder(json: unknown, orderId: string): OzzobitOrder {
  const order = parseProviderAnswer(PROVIDER, 'answer', ozzobitOrderSchema, ozzobitOrderIn(json));
  const answeredId = ozzobitOrderIdOf(order);
  if (answeredId !== undefined && !sameOrderId(answeredId, orderId)) {
    throw new ProviderCallError('invalid_response', `${PROVIDER} answered for order ${boundText(answeredId)}, not ${orderId}`);
  }
  return order;
}

/** Polls `GET {url}/api/v2/orders/:id` with the secret key. */
export function createOzzobitAdapter(settings: OzzobitSettings, clock: ProviderClock = SYSTEM_CLOCK): ProviderAdapter {
  const timeoutMs = settings.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return {
    name: 'ozzobit',
    async fetchOrder(orderId: string, signal?: AbortSignal): Promise<Observation> {
      const json = await getProviderJson({
        provider: PROVIDER,
        url: ozzobitOrderUrl(settings.url, orderId),
        headers: { Authorization: `Bearer ${settings.secretKey}` },
        timeoutMs,
        signal,
        what: `order ${orderId}`,
        credentials: 'the secret key',
        errorMessage: errorMessageIn,
      });
      return withAnswer(countUnrecognisedStatus('ozzobit', normalizeOzzobitOrder(parseOrder(json, orderId), Date.now(), clock)), json);
    },
  };
}
