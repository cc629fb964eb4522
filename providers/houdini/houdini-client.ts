import type { Observation } from '../../domain/types';
import type { ListCursor, ListPage, ProviderAdapter } from '../provider';
import { type ProviderClock, SYSTEM_CLOCK } from '../provider-clock';
import { ProviderCallError } from '../provider-error';
import { sameOrderId } from '../same-order-id';
import { countUnrecognisedStatus } from '../status-attention';
import { withAnswer } from '../provider-answer';
import { type JsonRequest, getProviderJson, parseProviderAnswer } from '../rest-json';
import { normalizeHoudiniOrder } from './houdini-observation';
import { houdiniAuthorization } from './houdini-protocol';
import { type HoudiniOrder, houdiniOrderListSchema, houdiniOrderSchema } from './houdini-schema';

export interface HoudiniSettings {
  /** The base before `/v2/orders` (what HOUDINI_URL holds). */
  url: string;
  partnerId: string;
  secret: string;
  /**
   * Whether pushes report the orders' changes (HOUDINI_WS_URL is set): polls are then the safety
   * net at the stage's cadence; without, the only way to see a change, at the 5 s floor.
   */
  pushes: boolean;
  /** One request's limit; the activity's own timeout is longer. */
  requestTimeoutMs?: number;
}

export interface HoudiniListedOrder {
  order: HoudiniOrder;
  observation: Observation;
}

export interface HoudiniAdapter extends ProviderAdapter {
  listPage(cursor: ListCursor | null, signal?: AbortSignal): Promise<ListPage>;
  /**
   * Every order of the partner account, newest first (`GET /v2/orders`, page by page): what the
   * push bridge reads after a WebSocket gap to catch the updates it missed. `beforePage` is awaited
   * before each page's request: the provider's request budget, which list pages share with polls.
   */
  listOrders(signal?: AbortSignal, beforePage?: () => Promise<void>): Promise<HoudiniListedOrder[]>;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;
const LIST_PAGE_SIZE = 100;
/** A catch-up needs the recent orders; 2,000 of them is far beyond any gap we expect. */
const LIST_MAX_PAGES = 20;

export function createHoudiniAdapter(settings: HoudiniSettings, clock: ProviderClock = SYSTEM_CLOCK): HoudiniAdapter {
  const timeoutMs = settings.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const base = `${settings.url.replace(/\/+$/, '')}/v2/orders`;
  // Exactly `partnerId:secret`, no scheme: the seed's format, for REST and the WebSocket alike.
  const headers = { Authorization: houdiniAuthorization(settings.partnerId, settings.secret), Accept: 'application/json' };

  function getJson(url: string, what: string, missing: JsonRequest['missing'], signal: AbortSignal | undefined): Promise<unknown> {
    return getProviderJson({ provider: 'Houdini', url, headers, timeoutMs, signal, what, credentials: 'the partner credentials', missing });
  }

  /** One page of `GET /v2/orders` (newest first), each order normalised as a poll would be. */
  async function readPage(page: number, signal: AbortSignal | undefined): Promise<{ orders: HoudiniListedOrder[]; more: boolean }> {
    const body = await getJson(`${base}?page=${page}&pageSize=${LIST_PAGE_SIZE}`, 'the order list', { wrongUrl: 'HOUDINI_URL' }, signal);
    const list = parseProviderAnswer('Houdini', 'order list', houdiniOrderListSchema, body);
    const now = Date.now();
    // Each entry's own JSON is its answer (the audit trail keeps it; provider-answer.ts).
    const entries = (body as { orders?: unknown[] }).orders ?? [];
    const orders = list.orders.map((order, index) => ({ order, observation: withAnswer(normalizeHoudiniOrder(order, now, settings.pushes, clock), entries[index] ?? order) }));
    const seen = (page - 1) * LIST_PAGE_SIZE + orders.length;
    return { orders, more: orders.length === LIST_PAGE_SIZE && seen < (list.total ?? Number.POSITIVE_INFINITY) };
  }

  return {
    name: 'houdini',

    async fetchOrder(orderId: string, signal?: AbortSignal): Promise<Observation> {
      const body = await getJson(`${base}/${encodeURIComponent(orderId)}`, `order ${orderId}`, 'not_found', signal);
      const order = parseProviderAnswer('Houdini', 'order', houdiniOrderSchema, body);
      if (!sameOrderId(order.houdiniId, orderId)) {
        throw new ProviderCallError('invalid_response', `Houdini answered order ${order.houdiniId} when asked for ${orderId}`);
      }
      return withAnswer(countUnrecognisedStatus('houdini', normalizeHoudiniOrder(order, Date.now(), settings.pushes, clock)), body);
    },

    async listOrders(signal?: AbortSignal, beforePage?: () => Promise<void>): Promise<HoudiniListedOrder[]> {
      const listed: HoudiniListedOrder[] = [];
      for (let page = 1; page <= LIST_MAX_PAGES; page += 1) {
        await beforePage?.();
        const { orders, more } = await readPage(page, signal);
        listed.push(...orders);
        if (!more) break;
      }
      return listed;
    },

    async listPage(cursor: ListCursor | null, signal?: AbortSignal): Promise<ListPage> {
      const page = typeof cursor?.page === 'number' ? cursor.page : 1;
      const { orders, more } = await readPage(page, signal);
      return {
        orders: orders.map(({ order, observation }) => ({ orderId: order.houdiniId, observation, complete: true, createdAt: timeOrNull(order.created) })),
        next: more ? { page: page + 1 } : null,
      };
    },
  };
}

function timeOrNull(text: string | null | undefined): number | null {
  const time = text ? Date.parse(text) : Number.NaN;
  return Number.isFinite(time) ? time : null;
}
