import type { Environment } from '../../common/config';
import type { ProviderName } from '../../workflows/types';
import { createHoudiniAdapter } from './houdini/houdini-client';
import { createMagmaAdapter } from './magma/magma-client';
import { createMiracleCashAdapter } from './miraclecash/miraclecash-client';
import { createOzzobitAdapter } from './ozzobit/ozzobit-client';
import type { ProviderAdapter, ProviderRegistry } from './provider';

/** Builds the adapters of the configured providers from validated settings. */
export function createProviders(environment: Environment, configured: readonly ProviderName[]): ProviderRegistry {
  const registry: ProviderRegistry = {};
  for (const provider of configured) {
    registry[provider] = createAdapter(provider, environment);
  }
  return registry;
}

function createAdapter(provider: ProviderName, environment: Environment): ProviderAdapter {
  switch (provider) {
    case 'magma':
      return createMagmaAdapter({ url: environment.MAGMA_URL as string, apiKey: environment.MAGMA_API_KEY as string });
    case 'miraclecash':
      return createMiracleCashAdapter({
        url: environment.MIRACLECASH_URL as string,
        clientId: environment.MIRACLECASH_CLIENT_ID as string,
        apiKey: environment.MIRACLECASH_API_KEY as string,
        maxPollMs: environment.MIRACLECASH_MAX_POLL,
      });
    case 'ozzobit':
      return createOzzobitAdapter({ url: environment.OZZOBIT_URL as string, secretKey: environment.OZZOBIT_SECRET_KEY as string });
    case 'houdini':
      return createHoudiniAdapter({
        url: environment.HOUDINI_URL as string,
        partnerId: environment.HOUDINI_PARTNER_ID as string,
        secret: environment.HOUDINI_SECRET as string,
      });
  }
}
