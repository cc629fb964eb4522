import type { Observation, ProviderName } from '../../workflows/types';

/** One adapter per provider: fetches an order and normalises the answer into an observation. */
export interface ProviderAdapter {
  readonly name: ProviderName;
  /**
   * Throws ProviderCallError for every failure. `timeScale` is the sandbox's (1 against a real
   * provider): waits derived from the provider's timestamps are computed in its time (nominal-time.ts).
   */
  fetchOrder(orderId: string, signal?: AbortSignal, timeScale?: number): Promise<Observation>;
}

export type ProviderRegistry = Partial<Record<ProviderName, ProviderAdapter>>;
