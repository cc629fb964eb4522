/** Activities of the ceiling workflows, over the project's provider adapters. */
import { ApplicationFailure } from '@temporalio/activity';
import type { ProviderRegistry } from '../../../providers/provider';
import { scaledClock } from '../../../providers/provider-clock';
import { type ProviderSettings, createProviders } from '../../../providers/registry';
import type { Observation, ProviderName } from '../../../domain/types';
import { appendEvent } from '../event-log';

/** Adapters per time scale (each workflow says its own): their waits are wall-clock waits at that scale. */
export function createCeilingActivities(settings: Partial<ProviderSettings>, eventFile: string) {
  const registries = new Map<number, ProviderRegistry>();
  const providersAt = (timeScale: number): ProviderRegistry => {
    let registry = registries.get(timeScale);
    if (registry === undefined) registries.set(timeScale, (registry = createProviders(settings, scaledClock(timeScale))));
    return registry;
  };
  /** Last status per order in this process: a `seen` line when it changes (a restart may repeat one). */
  const lastStatus = new Map<string, string>();

  async function fetch(provider: string, orderId: string, timeScale: number): Promise<Observation> {
    const adapter = providersAt(timeScale)[provider as ProviderName];
    if (adapter === undefined) throw ApplicationFailure.nonRetryable(`provider ${provider} not configured`, 'Fatal');
    const observation = await adapter.fetchOrder(orderId);
    if (lastStatus.get(orderId) !== observation.status) {
      appendEvent(eventFile, { type: 'seen', orderId, status: observation.status, at: Date.now() });
      lastStatus.set(orderId, observation.status);
    }
    if (observation.phase !== 'in_flight') lastStatus.delete(orderId);
    return observation;
  }

  return {
    async pollOrder(request: { provider: string; orderId: string; timeScale: number }): Promise<Observation> {
      return fetch(request.provider, request.orderId, request.timeScale);
    },
    async checkOrder(request: { provider: string; orderId: string; timeScale: number }): Promise<string> {
      const observation = await fetch(request.provider, request.orderId, request.timeScale);
      if (observation.phase === 'in_flight') {
        throw ApplicationFailure.create({
          type: 'StillInFlight',
          message: `${observation.status}: not final yet`,
          nextRetryDelay: Math.max(5_000 / request.timeScale, observation.nextWaitMs),
          category: 'BENIGN',
        });
      }
      return observation.phase;
    },
    /** The fulfilment: at-least-once like any activity; a line per run of it. */
    async fulfil(request: { orderId: string; outcome: string }): Promise<void> {
      appendEvent(eventFile, { type: 'fulfilled', orderId: request.orderId, outcome: request.outcome, at: Date.now() });
    },
  };
}

export type CeilingActivities = ReturnType<typeof createCeilingActivities>;
