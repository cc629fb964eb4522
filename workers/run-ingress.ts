import type { Client } from '@temporalio/client';
import { openLedger } from '../activities/ledger/open-ledger';
import { connectClient } from '../client/connect';
import { type OrderTracker, trackerFromConfig } from '../client/order-tracker';
import { type Config, loadConfig } from '../common/config';
import { buildIngress } from './ingress';
import { pushBridgesFromConfig, webhookRoutesFromConfig } from './push/push-config';

export interface RunningIngress {
  address: string;
  bridges: string[];
  /** Settles when a bridge stops on its own (refused credentials): the error says why. */
  failed: Promise<never>;
  stop(): Promise<void>;
}

/** The HTTP server (webhooks, HTTP API) and the configured push bridges, started. */
export async function startIngress(config: Config, tracker: OrderTracker, client: Client, port = config.environment.INGRESS_PORT): Promise<RunningIngress> {
  const app = buildIngress({ tracker, token: config.environment.INGRESS_TOKEN, webhooks: webhookRoutesFromConfig(config, tracker) });
  const address = await app.listen({ port, host: config.environment.INGRESS_HOST });
  const bridges = pushBridgesFromConfig(config, tracker, client);
  const runs = bridges.map((bridge) => bridge.run());
  const failed = Promise.race(runs).then(() => {
    throw new Error('a push bridge stopped');
  }) as Promise<never>;
  failed.catch(() => undefined);
  return {
    address,
    bridges: bridges.map((bridge) => bridge.provider),
    failed,
    async stop() {
      await Promise.allSettled(bridges.map((bridge) => bridge.stop()));
      await Promise.allSettled(runs);
      await app.close();
    },
  };
}

/**
 * `order-tracker ingress`: the HTTP server (webhooks and the HTTP API) and a push bridge for each
 * provider whose push settings are set. Runs until SIGINT/SIGTERM; a bridge that stops on refused
 * credentials stops the process with its error.
 */
export async function runIngressProcess(config: Config): Promise<void> {
  const ledger = await openLedger(config.databaseUrl);
  const client = await connectClient(config);
  const tracker = trackerFromConfig(config, client, ledger);
  const ingress = await startIngress(config, tracker, client);
  try {
    console.log(`order-tracker ingress: listening on ${ingress.address}; push bridges: ${ingress.bridges.join(', ') || 'none'}`);
    const stopped = new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await Promise.race([stopped, ingress.failed]);
  } finally {
    await ingress.stop();
    await client.connection.close();
    await ledger.close();
  }
}

export async function runIngress(): Promise<number> {
  await runIngressProcess(loadConfig());
  return 0;
}
