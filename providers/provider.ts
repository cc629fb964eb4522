import type { Observation, ProviderName } from '../domain/types';

/** One order as a list page shows it, normalised by the provider module. */
export interface ListedOrder {
  orderId: string;
  observation: Observation;
  /**
   * False when the list shows less than a poll of the order does (Magma's list: the status, none of
   * the details): a change seen there is asked about with one poll of the order for the rest.
   */
  complete: boolean;
  /** When the provider created the order (epoch ms), if the list says: reconciliation's age bound. */
  createdAt: number | null;
}

/** Where a list sweep goes on; opaque outside the adapter (a page number, a side and an offset). */
export type ListCursor = Readonly<Record<string, string | number>>;

export interface ListPage {
  orders: ListedOrder[];
  /** The next, older page; null after the last one. */
  next: ListCursor | null;
}

/** One adapter per provider: fetches an order and normalises the answer into an observation. */
export interface ProviderAdapter {
  readonly name: ProviderName;
  /** Throws ProviderCallError for every failure. Its waits are wall-clock waits (provider-clock.ts). */
  fetchOrder(orderId: string, signal?: AbortSignal): Promise<Observation>;
  /**
   * A page of the account's orders, newest first, from `cursor` (null: the first page). Providers
   * with a list endpoint have it (Houdini `GET /v2/orders`, Magma `purchases`/`sales`): a poll group
   * refreshes its orders by pages, so its requests grow with pages, not with orders.
   */
  listPage?(cursor: ListCursor | null, signal?: AbortSignal): Promise<ListPage>;
}

export type ProviderRegistry = Partial<Record<ProviderName, ProviderAdapter>>;
