import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { OrderTracker } from '../../client/order-tracker';
import type { Config } from '../../common/config';
import type { PushBridge } from './bridge';
import { houdiniBridgeFromConfig } from './houdini-config';

/** The webhook routes whose secrets are configured (OZZOBiT: OZZOBIT_WEBHOOK_SECRET). */
export function webhookRoutesFromConfig(_config: Config, _tracker: OrderTracker): ((app: FastifyInstance) => void)[] {
  return [];
}

/** One bridge per provider whose push settings are set (HOUDINI_WS_URL, OZZOBIT_WS_URL). */
export function pushBridgesFromConfig(config: Config, tracker: OrderTracker, client: Client): PushBridge[] {
  const bridges: PushBridge[] = [];
  const houdini = houdiniBridgeFromConfig(config, tracker, client);
  if (houdini !== undefined) bridges.push(houdini);
  return bridges;
}
