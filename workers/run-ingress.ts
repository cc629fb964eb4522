import { openLedger } from '../activities/ledger/open-ledger';
import { connectClient } from '../client/connect';
import { OrderTracker } from '../client/order-tracker';
import { type Config, loadConfig } from '../common/config';
import { buildIngress } from './ingress';
import { pushBridgesFromConfig, webhookRoutesFromConfig } from './push/push-config';

/**
 * `order-tracker ingress`: the HTTP server (webhooks and the HTTP API) and a push bridge for each
 * provider whose push settings are set. Runs until SIGINT/SIGTERM; a bridge that stops on refused
 * credentials stops the process with its error.
 */
export async function runIngressProcess(config: Config): Promise<void> {
  const ledger = await openLedger(config.databaseUrl);
  const client = await connectClient(config);
  const tracker = new OrderTracker({ client, taskQueue: config.taskQueue, ledger });
  const app = buildIngress({ tracker, token: config.environment.INGRESS_TOKEN, webhooks: webhookRoutesFromConfig(config, tracker) });
  const bridges = pushBridgesFromConfig(config, tracker, client);
  try {
    const address = await app.listen({ port: config.environment.INGRESS_PORT, host: config.environment.INGRESS_HOST });
    console.log(`order-tracker ingress: listening on ${address}; push bridges: ${bridges.map((bridge) => bridge.provider).join(', ') || 'none'}`);
    const stopped = new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await Promise.race([stopped, ...bridges.map((bridge) => bridge.run())]);
  } finally {
    await Promise.allSettled(bridges.map((bridge) => bridge.stop()));
    await app.close();
    await client.connection.close();
    await ledger.close();
  }
}

export async function runIngress(): Promise<number> {
  await runIngressProcess(loadConfig());
  return 0;
}
