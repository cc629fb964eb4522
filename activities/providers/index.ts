import type { Environment } from '../../common/config';
import type { ProviderName } from '../../workflows/types';
import { createHoudiniAdapter } from './houdini/houdini-client';
import { createMagmaAdapter } from './magma/magma-client';
import type { ProviderAdapter, ProviderRegistry } from './provider';

/** Builds the adapters of the configured providers from validated settings. */
export function createProviders(environment: Environment, configured: readonly ProviderName[]): ProviderRegistry {
  const registry: ProviderRegistry = {};
  for (const provider of configured) {
    const adapter = createAdapter(provider, environment);
    if (adapter !== undefined) registry[provider] = adapter;
  }
  return registry;
}

function createAdapter(provider: ProviderName, environment: Environment): ProviderAdapter | undefined {
  switch (provider) {
    case 'magma':
      return createMagmaAdapter({ url: environment.MAGMA_URL as string, apiKey: environment.MAGMA_API_KEY as string });
    case 'houdini':
      return createHoudiniAdapter({
        url: environment.HOUDINI_URL as string,
        partnerId: environment.HOUDINI_PARTNER_ID as string,
        secret: environment.HOUDINI_SECRET as string,
      });
    default:
      // The other seed providers arrive with their own adapters (see the providers issue).
      return undefined;
  }
}
