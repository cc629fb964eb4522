import type { Observation, ProviderName } from '../../workflows/types';

/** One adapter per provider: fetches an order and normalises the answer into an observation. */
export interface ProviderAdapter {
  readonly name: ProviderName;
  /** Throws ProviderCallError for every failure. */
  fetchOrder(orderId: string, signal?: AbortSignal): Promise<Observation>;
}

export type ProviderRegistry = Partial<Record<ProviderName, ProviderAdapter>>;
