/**
 * Houdini's push channel as the ingress builds it (the descriptor loads this file when HOUDINI_WS_URL
 * is set): the WebSocket bridge with the partner credentials the socket shares with REST, and with
 * HOUDINI_URL the catch-up through `GET /v2/orders` after a gap.
 */
import type { PushBridge, PushContext } from '../push/push-channel';
import { createHoudiniBridge } from './houdini-bridge';
import { createHoudiniAdapter } from './houdini-client';

export interface HoudiniPushSettings {
  wsUrl: string;
  partnerId: string;
  secret: string;
  /** HOUDINI_URL: the catch-up's list; without it, updates missed while disconnected wait for the next poll. */
  url?: string;
}

export function houdiniBridge(settings: HoudiniPushSettings, context: PushContext): PushBridge {
  const { wsUrl, partnerId, secret, url } = settings;
  const adapter = url === undefined ? undefined : createHoudiniAdapter({ url, partnerId, secret, pushes: true }, context.clock);
  return createHoudiniBridge({ ...context, wsUrl, partnerId, secret, adapter, beforeListPage: context.beforeRequest });
}
