import { fetch } from 'undici';
import type { Observation } from '../../../workflows/types';
import { networkFailure } from '../http-failure';
import type { ProviderAdapter } from '../provider';
import { ProviderCallError, kindForHttpStatus, parseRetryAfter } from '../provider-error';
import { describeSchemaIssues } from '../schema-issues';
import { normalizeHoudiniOrder } from './houdini-observation';
import { type HoudiniOrder, houdiniOrderListSchema, houdiniOrderSchema } from './houdini-schema';

export interface HoudiniSettings {
  /** The base before `/v2/orders` (what HOUDINI_URL holds). */
  url: string;
  partnerId: string;
  secret: string;
  /** One request's limit; the activity's own timeout is longer. */
  requestTimeoutMs?: number;
}

export interface HoudiniListedOrder {
  order: HoudiniOrder;
  observation: Observation;
}

export interface HoudiniAdapter extends ProviderAdapter {
  /**
   * Every order of the partner account, newest first (`GET /v2/orders`, page by page): what the
   * push bridge reads after a WebSocket gap to catch the updates it missed.
   */
  listOrders(signal?: AbortSignal): Promise<HoudiniListedOrder[]>;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;
const LIST_PAGE_SIZE = 100;
/** A catch-up needs the recent orders; 2,000 of them is far beyond any gap we expect. */
const LIST_MAX_PAGES = 20;

export function createHoudiniAdapter(settings: HoudiniSettings): HoudiniAdapter {
  const timeoutMs = settings.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const base = `${settings.url.replace(/\/+$/, '')}/v2/orders`;
  // Exactly `partnerId:secret`, no scheme: the seed's format, for REST and the WebSocket alike.
  const headers = { Authorization: `${settings.partnerId}:${settings.secret}`, Accept: 'application/json' };

  /** `what` names the resource in messages; `missing` says what a 404 means for it. */
  async function getJson(url: string, what: string, missing: NotFoundMeaning, signal: AbortSignal | undefined): Promise<unknown> {
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const response = await fetch(url, { headers, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      const text = await response.text();
      if (!response.ok) throw errorForStatus(response.status, response.headers.get('retry-after'), what, missing, text);
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new ProviderCallError('invalid_response', `Houdini answered ${what} with malformed JSON: ${reason}`, {
          httpStatus: response.status,
        });
      }
    } catch (error) {
      // Checked here rather than by the error's class: fetch's abort reasons may come from another realm.
      if (timeout.aborted && !(error instanceof ProviderCallError) && !signal?.aborted) {
        throw new ProviderCallError('unavailable', `Houdini did not answer ${what} in ${timeoutMs} ms`);
      }
      throw networkFailure('Houdini', error);
    }
  }

  return {
    name: 'houdini',

    async fetchOrder(orderId: string, signal?: AbortSignal): Promise<Observation> {
      const body = await getJson(`${base}/${encodeURIComponent(orderId)}`, `order ${orderId}`, 'not_found', signal);
      const parsed = houdiniOrderSchema.safeParse(body);
      if (!parsed.success) {
        throw new ProviderCallError('invalid_response', `Houdini order did not match the schema: ${describeSchemaIssues(parsed.error)}`);
      }
      if (parsed.data.houdiniId !== orderId) {
        throw new ProviderCallError('invalid_response', `Houdini answered order ${parsed.data.houdiniId} when asked for ${orderId}`);
      }
      return normalizeHoudiniOrder(parsed.data, Date.now());
    },

    async listOrders(signal?: AbortSignal): Promise<HoudiniListedOrder[]> {
      const listed: HoudiniListedOrder[] = [];
      for (let page = 1; page <= LIST_MAX_PAGES; page += 1) {
        const body = await getJson(`${base}?page=${page}&pageSize=${LIST_PAGE_SIZE}`, 'the order list', 'wrong_url', signal);
        const parsed = houdiniOrderListSchema.safeParse(body);
        if (!parsed.success) {
          throw new ProviderCallError('invalid_response', `Houdini order list did not match the schema: ${describeSchemaIssues(parsed.error)}`);
        }
        const now = Date.now();
        for (const order of parsed.data.orders) listed.push({ order, observation: normalizeHoudiniOrder(order, now) });
        const total = parsed.data.total ?? Number.POSITIVE_INFINITY;
        if (parsed.data.orders.length < LIST_PAGE_SIZE || listed.length >= total) break;
      }
      return listed;
    },
  };
}

/** A 404 for an order means Houdini does not know it; on the list there is no order to miss. */
type NotFoundMeaning = 'not_found' | 'wrong_url';

function errorForStatus(
  httpStatus: number,
  retryAfter: string | null,
  what: string,
  missing: NotFoundMeaning,
  body: string,
): ProviderCallError {
  const kind = kindForHttpStatus(httpStatus);
  const retryAfterMs = parseRetryAfter(retryAfter, Date.now());
  const details = { httpStatus, ...(retryAfterMs !== undefined && { retryAfterMs }) };
  switch (kind) {
    case 'credentials_refused':
      return new ProviderCallError(kind, `Houdini refused the partner credentials (HTTP ${httpStatus})`, details);
    case 'not_found':
      return missing === 'not_found'
        ? new ProviderCallError(kind, `Houdini has no ${what}`, details)
        : new ProviderCallError('unavailable', `Houdini has no ${what} at this URL (HTTP 404): check HOUDINI_URL`, details);
    default:
      return new ProviderCallError(kind, `Houdini answered ${what} with HTTP ${httpStatus}${excerpt(body)}`, details);
  }
}

function excerpt(body: string): string {
  const text = body.replace(/\s+/g, ' ').trim();
  if (text === '') return '';
  return `: ${text.length > 200 ? `${text.slice(0, 199)}…` : text}`;
}
