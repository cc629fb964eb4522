/**
 * The providers this project follows: one descriptor each (`<name>/<name>-provider.ts`), which names
 * everything the rest of the project builds for it: its adapter (polls, list sweeps) and its push
 * channels (the ingress's bridges and webhook routes). Adding a provider is its folder, its
 * descriptor here, and its name in PROVIDER_NAMES (domain/types.ts, which workflow code may read;
 * test/unit/registry.providers.test.ts keeps the two lists equal).
 */
import type { z } from 'zod';
import type { ProviderName } from '../domain/types';
import { houdiniProvider } from './houdini/houdini-provider';
import { magmaProvider } from './magma/magma-provider';
import { miracleCashProvider } from './miraclecash/miraclecash-provider';
import { ozzobitProvider } from './ozzobit/ozzobit-provider';
import type { ProviderAdapter, ProviderRegistry } from './provider';
import { type ProviderClock, SYSTEM_CLOCK } from './provider-clock';
import type { ProviderDescriptor } from './provider-descriptor';

/** The providers the project ships, in the order they are listed everywhere. */
export const BUILT_IN_PROVIDERS = [magmaProvider, miracleCashProvider, ozzobitProvider, houdiniProvider] as const;

type BuiltIn = (typeof BUILT_IN_PROVIDERS)[number];

/** Each configured provider's typed settings, as loadConfig builds them from its variables. */
export type ProviderSettings = { [Descriptor in BuiltIn as Descriptor['name']]: ReturnType<Descriptor['settings']> };

/** A descriptor of any provider, its own types forgotten: what the registry hands to config and workers. */
export type AnyProviderDescriptor = ProviderDescriptor<ProviderName, z.ZodRawShape, string, unknown>;

const registered: AnyProviderDescriptor[] = [...BUILT_IN_PROVIDERS];

/**
 * Adds a provider beside the built-in ones, before loadConfig and the workers run (a test's toy
 * provider does; a provider of the product goes into BUILT_IN_PROVIDERS instead).
 */
export function registerProvider(descriptor: AnyProviderDescriptor): void {
  if (isProviderName(descriptor.name)) throw new Error(`provider ${descriptor.name} is already registered`);
  registered.push(descriptor);
}

export function registeredProviders(): readonly AnyProviderDescriptor[] {
  return registered;
}

export function isProviderName(value: string): value is ProviderName {
  return registered.some((descriptor) => descriptor.name === value);
}

export function providerDescriptor(name: ProviderName): AnyProviderDescriptor {
  const descriptor = registered.find((candidate) => candidate.name === name);
  if (descriptor === undefined) throw new Error(`no descriptor for provider ${name}`);
  return descriptor;
}

/** Builds the adapters of the configured providers from their settings; the sandbox passes a scaled clock. */
export function createProviders(settings: Partial<ProviderSettings>, clock: ProviderClock = SYSTEM_CLOCK): ProviderRegistry {
  const registry: ProviderRegistry = {};
  const sections: Partial<Record<ProviderName, unknown>> = settings;
  for (const descriptor of registered) {
    // Each section was built by this descriptor's own `settings` (loadConfig): the pair matches.
    const section = sections[descriptor.name];
    if (section !== undefined) registry[descriptor.name] = descriptor.createAdapter(section, clock);
  }
  return registry;
}

export type { ProviderAdapter };
