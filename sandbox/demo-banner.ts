/**
 * What `npm start` prints about the demo: the orders it tracks, the ones to try by hand (new ids at
 * each start: tryOrderIds), the ones a push will start, and where to script orders of one's own.
 */
import type { ProviderName } from '../domain/types';
import { type DemoOrder, pushDiscoveredOrderIds, tryOrderIds } from './demo-orders';

export interface DemoBannerOptions {
  demos: DemoOrder[];
  runId: string;
  /** `TEMPORAL_ADDRESS=… ` when the dev server is not on the port the CLI expects; else empty. */
  commandPrefix: string;
  /** Each simulator's control API (`/_sandbox/`), where orders are added. */
  controlUrls: Record<ProviderName, string>;
}

export function demoBanner({ demos, runId, commandPrefix, controlUrls }: DemoBannerOptions): string[] {
  const tries = tryOrderIds(runId);
  const pushed = pushDiscoveredOrderIds(runId);
  const command = (text: string) => `  ${commandPrefix}npx order-tracker ${text}`;
  return [
    'No provider credentials are set, so the provider simulators run on 127.0.0.1 with demo orders:',
    ...demos.map((demo) => `  ${demo.provider} ${demo.orderId}: ${demo.story}`),
    `Nobody tracks ozzobit ${pushed.ozzobit} or houdini ${pushed.houdini}: their providers' pushes start tracking them.`,
    'Try them yourself, from another terminal in this folder (new ids at every start):',
    command(`track magma ${tries.magma[0]} --follow`),
    command(`track houdini ${tries.houdini[0]} --follow     # its first poll starts it; WebSocket pushes move it`),
    command(`status ozzobit ${pushed.ozzobit} --follow   # started by a webhook; webhooks and socket.io move it in a minute`),
    command(`track miraclecash ${tries.miraclecash[0]} --wait`),
    command(`track magma ${tries.magma[1]} && ${commandPrefix}npx order-tracker cancel magma ${tries.magma[1]}`),
    command('list'),
    `  (also ${[tries.magma[2], tries.miraclecash[1]].join(', ')})`,
    'Script an order of your own (docs/operations.md, "The demo"), then track it:',
    `  curl -X POST ${controlUrls.magma}orders -H 'content-type: application/json' -d '{"id":"my-order-1","steps":[{"status":"WAITING_FOR_BUYER_PAYMENT","requests":2},{"status":"VALID_CHANNEL_OPENING"}]}'`,
    `  control APIs: ${Object.entries(controlUrls).map(([provider, url]) => `${provider} ${url}`).join(', ')}`,
  ];
}
