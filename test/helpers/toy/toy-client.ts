/**
 * Toy's polling: its status table, and the adapter that asks for one order or a page of the
 * account's orders (the poll group's list sweep). The pushes read orders with the same table.
 */
import { getProviderJson, parseProviderAnswer } from '../../../providers/rest-json';
import type { ListedOrder, ProviderAdapter } from '../../../providers/provider';
import { type StatusClass, TERMINAL_RANK, classifyByTable, toObservation } from '../../../providers/status-class';
import type { Observation } from '../../../domain/types';
import { TOY, TOY_ORDERS_PATH, type ToyOrder, toyAuthorization, toyListSchema, toyOrderSchema } from './toy-protocol';

export interface ToySettings {
  url: string;
  token: string;
}

/** The status table: phase, rank and the wait before asking again. */
interface ToyStatusInfo extends StatusClass {
  waitMs: number;
}
const TOY_STATES = {
  waiting: { phase: 'in_flight', recognised: true, rank: 1, waitMs: 5_000 },
  // The one a push reports the end of: a poll would wait a minute, so a change seen sooner came by push.
  paying: { phase: 'in_flight', recognised: true, rank: 2, waitMs: 60_000 },
  paid: { phase: 'succeeded', recognised: true, rank: TERMINAL_RANK, waitMs: 0 },
  refused: { phase: 'failed', recognised: true, rank: TERMINAL_RANK, waitMs: 0 },
} satisfies Record<string, ToyStatusInfo>;
const UNKNOWN_STATE: ToyStatusInfo = { phase: 'in_flight', recognised: false, rank: 0, waitMs: 30_000 };

export function toToyObservation(state: string): Observation {
  const info = classifyByTable<string, ToyStatusInfo>(TOY_STATES, state, UNKNOWN_STATE);
  return toObservation(state, info, info.waitMs, {});
}

function listed(order: ToyOrder): ListedOrder {
  const created = order.created == null ? Number.NaN : Date.parse(order.created);
  // The list shows the whole order: a change seen there needs no poll.
  return { orderId: order.id, observation: toToyObservation(order.state), complete: true, createdAt: Number.isNaN(created) ? null : created };
}

export function createToyAdapter(settings: ToySettings): ProviderAdapter {
  const get = (path: string, what: string, signal?: AbortSignal) =>
    getProviderJson({
      provider: 'Toy',
      url: `${settings.url.replace(/\/+$/, '')}${path}`,
      headers: { Authorization: toyAuthorization(settings.token) },
      timeoutMs: 5_000,
      signal,
      what,
      credentials: 'the token',
    });
  return {
    name: TOY,
    async fetchOrder(orderId, signal) {
      const json = await get(`${TOY_ORDERS_PATH}/${encodeURIComponent(orderId)}`, `order ${orderId}`, signal);
      return toToyObservation(parseProviderAnswer('Toy', 'order', toyOrderSchema, json).state);
    },
    async listPage(cursor, signal) {
      const page = typeof cursor?.page === 'number' ? cursor.page : 0;
      const json = await get(`${TOY_ORDERS_PATH}?page=${page}`, `list page ${page}`, signal);
      const answer = parseProviderAnswer('Toy', 'list page', toyListSchema, json);
      return { orders: answer.orders.map(listed), next: answer.next === null ? null : { page: answer.next } };
    },
  };
}
