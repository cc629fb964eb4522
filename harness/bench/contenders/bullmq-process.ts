/**
 * Child process: the seed's background-job pattern (seed 001, "Background job polls for status")
 * on BullMQ: a job polls once; while the order is pending it re-queues itself with the seed's delay;
 * at a final status it fulfils. Jobs live in Redis, so they survive this process.
 */
import { Queue, Worker } from 'bullmq';
import { createProviders } from '../../../providers/registry';
import { loadConfig } from '../../../common/config';
import type { ProviderName } from '../../../domain/types';
import { appendEvent } from '../event-log';
import { seedIntervalMs } from './seed-cadence';

export interface PollJob {
  provider: ProviderName;
  orderId: string;
  lastStatus?: string;
}

export const BULLMQ_QUEUE = 'order-polls';
/** A crashed worker's job is taken again after this (BullMQ's default is 30 s; scaled like the rest). */
export function lockDurationMs(timeScale: number): number {
  return Math.max(1_000, 30_000 / timeScale);
}

async function main(): Promise<void> {
  const config = loadConfig();
  const providers = createProviders(config.providers);
  const eventFile = process.env.BENCH_EVENT_FILE as string;
  const timeScale = Number(process.env.BENCH_TIME_SCALE ?? '1');
  const connection = { host: '127.0.0.1', port: Number(process.env.BENCH_REDIS_PORT) };
  const queue = new Queue<PollJob>(BULLMQ_QUEUE, { connection });
  const worker = new Worker<PollJob>(
    BULLMQ_QUEUE,
    async (job) => {
      const { provider, orderId } = job.data;
      const adapter = providers[provider];
      if (adapter === undefined) throw new Error(`provider ${provider} not configured`);
      let status = job.data.lastStatus;
      try {
        const observation = await adapter.fetchOrder(orderId);
        if (observation.status !== status) {
          status = observation.status;
          appendEvent(eventFile, { type: 'seen', orderId, status, at: Date.now() });
        }
        if (observation.phase !== 'in_flight') {
          appendEvent(eventFile, { type: 'fulfilled', orderId, outcome: observation.phase, at: Date.now() });
          return;
        }
      } catch {
        // the seed: try again after the interval
      }
      await queue.add('poll', { provider, orderId, lastStatus: status }, {
        delay: seedIntervalMs(provider, status) / timeScale,
        removeOnComplete: true,
        removeOnFail: true,
      });
    },
    {
      connection,
      concurrency: Number(process.env.BENCH_BULLMQ_CONCURRENCY ?? '100'),
      lockDuration: lockDurationMs(timeScale),
      stalledInterval: lockDurationMs(timeScale),
      removeOnComplete: { count: 0 },
    },
  );
  const stop = async () => {
    await worker.close();
    await queue.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
