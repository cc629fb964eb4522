import type { Observation, ProviderName } from '../domain/types';

/** One adapter per provider: fetches an order and normalises the answer into an observation. */
export interface ProviderAdapter {
  readonly name: ProviderName;
  /** Throws ProviderCallError for every failure. Its waits are wall-clock waits (provider-clock.ts). */
  fetchOrder(orderId: string, signal?: AbortSignal): Promise<Observation>;
}

export type ProviderRegistry = Partial<Record<ProviderName, ProviderAdapter>>;
