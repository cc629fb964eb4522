import { environmentSchema } from '../../common/config';
import { BUILT_IN_PROVIDERS, providerDescriptor } from '../../providers/registry';
import { PROVIDER_NAMES } from '../../domain/types';

describe('the provider registry', () => {
  it('has one descriptor per provider name the workflows know, in the same order', () => {
    expect(BUILT_IN_PROVIDERS.map((descriptor) => descriptor.name)).toEqual([...PROVIDER_NAMES]);
  });

  describe.each(BUILT_IN_PROVIDERS.map((descriptor) => [descriptor.name, descriptor] as const))('%s', (name, descriptor) => {
    const own = Object.keys(descriptor.variables);

    it('names every variable after the provider and describes it', () => {
      for (const variable of own) {
        expect(variable.startsWith(`${name.toUpperCase()}_`)).toBe(true);
        expect((descriptor.variables as Record<string, { description?: string }>)[variable]?.description).toBeTruthy();
      }
    });

    it('requires, links and pushes only its own variables', () => {
      const channels = descriptor.push?.channels ?? [];
      const referenced: string[] = [
        ...descriptor.required,
        ...descriptor.urls,
        ...channels.flatMap((channel) => [channel.switch, ...(channel.needs ?? [])]),
        ...(descriptor.push?.variables ?? []),
      ];
      expect(referenced.filter((variable) => !own.includes(variable))).toEqual([]);
      expect(descriptor.required.length).toBeGreaterThan(0);
    });

    it('counts each channel\'s switch among its push settings, which a worker alone drops', () => {
      const variables: readonly string[] = descriptor.push?.variables ?? [];
      expect((descriptor.push?.channels ?? []).filter((channel) => !variables.includes(channel.switch))).toEqual([]);
    });

    it('puts its variables and its request budget in the environment schema', () => {
      const known = Object.keys(environmentSchema.shape);
      expect(own.filter((variable) => !known.includes(variable))).toEqual([]);
      expect(known).toContain(`${name.toUpperCase()}_REQUESTS_PER_SECOND`);
    });

    it('follows an order for a positive default max wait', () => {
      expect(descriptor.defaultMaxWaitMs).toBeGreaterThan(0);
      expect(providerDescriptor(name)).toBe(descriptor);
    });
  });
});
