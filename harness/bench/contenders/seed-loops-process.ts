/**
 * Child process: the seeds' reference loops as plain Node — one async loop per order, started by an
 * IPC message, state in memory only (a crash forgets every order it was following).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createProviders } from '../../../providers/registry';
import { loadConfig } from '../../../common/config';
import type { ProviderName } from '../../../domain/types';
import { appendEvent } from '../event-log';
import { seedIntervalMs } from './seed-cadence';

const config = loadConfig();
const providers = createProviders(config.providers);
const eventFile = process.env.BENCH_EVENT_FILE as string;
const timeScale = Number(process.env.BENCH_TIME_SCALE ?? '1');

async function follow(provider: ProviderName, orderId: string): Promise<void> {
  const adapter = providers[provider];
  if (adapter === undefined) return;
  let last: string | undefined;
  for (;;) {
    try {
      const observation = await adapter.fetchOrder(orderId);
      if (observation.status !== last) {
        last = observation.status;
        appendEvent(eventFile, { type: 'seen', orderId, status: last, at: Date.now() });
      }
      if (observation.phase !== 'in_flight') {
        appendEvent(eventFile, { type: 'fulfilled', orderId, outcome: observation.phase, at: Date.now() });
        return;
      }
    } catch {
      // the seeds just try again after the interval
    }
    await sleep(seedIntervalMs(provider, last) / timeScale);
  }
}

process.on('message', (message: { provider: ProviderName; orderId: string }) => {
  void follow(message.provider, message.orderId);
});
process.on('disconnect', () => process.exit(0));
