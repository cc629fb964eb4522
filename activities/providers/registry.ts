/**
 * The providers this project follows: one descriptor each (`<name>/<name>-provider.ts`). Adding a
 * provider is its folder, its descriptor here, and its name in PROVIDER_NAMES (workflows/types.ts,
 * which workflow code may read; the test beside this file keeps the two lists equal).
 */
import type { ProviderName } from '../../workflows/types';
import { houdiniProvider } from './houdini/houdini-provider';
import { magmaProvider } from './magma/magma-provider';
import { miracleCashProvider } from './miraclecash/miraclecash-provider';
import { ozzobitProvider } from './ozzobit/ozzobit-provider';
import type { ProviderAdapter, ProviderRegistry } from './provider';
import type { ProviderDescriptor } from './provider-descriptor';

export const PROVIDERS = [magmaProvider, miracleCashProvider, ozzobitProvider, houdiniProvider] as const;

type Registered = (typeof PROVIDERS)[number];

/** Each configured provider's typed settings, as loadConfig builds them from its variables. */
export type ProviderSettings = { [Descriptor in Registered as Descriptor['name']]: ReturnType<Descriptor['settings']> };

export function providerDescriptor(name: ProviderName): Registered {
  const descriptor = PROVIDERS.find((candidate) => candidate.name === name);
  if (descriptor === undefined) throw new Error(`no descriptor for provider ${name}`);
  return descriptor;
}

/** Builds the adapters of the configured providers from their settings. */
export function createProviders(settings: Partial<ProviderSettings>): ProviderRegistry {
  const registry: ProviderRegistry = {};
  for (const descriptor of PROVIDERS) {
    const section = settings[descriptor.name];
    // The settings were built by this descriptor's own `settings` (loadConfig): the pair matches.
    if (section !== undefined) registry[descriptor.name] = (descriptor as ProviderDescriptor<ProviderName, never, never, typeof section>).createAdapter(section);
  }
  return registry;
}

export type { ProviderAdapter };
