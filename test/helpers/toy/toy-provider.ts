/**
 * A sixth, pushing provider in one folder, added the way README's "Adding a provider" says: its
 * descriptor (this file) names its variables, its adapter (polls and list pages, toy-client.ts) and
 * its push channels (a socket bridge, toy-bridge.ts; a webhook route, toy-webhook.ts), and one
 * `registerProvider(toyProvider)` line puts it beside the built-in ones. Its simulator is
 * toy-simulator.ts; both ends share toy-protocol.ts.
 */
import { optionalText, optionalUrl } from '../../../common/environment-values';
import { defineProvider, variableValue } from '../../../providers/provider-descriptor';
import { ToyBridge } from './toy-bridge';
import { createToyAdapter } from './toy-client';
import { TOY } from './toy-protocol';
import { toyWebhookRoute } from './toy-webhook';

export { TOY };

export const toyProvider = defineProvider({
  name: TOY,
  label: 'Toy',
  variables: {
    TOY_URL: optionalUrl.describe('Toy API base URL'),
    TOY_TOKEN: optionalText.describe('Toy API token (REST and socket)'),
    TOY_WS_URL: optionalUrl.describe('Toy socket URL; set it to run the bridge'),
    TOY_WEBHOOK_SECRET: optionalText.describe('Toy webhook signing secret; set it to accept POST /webhooks/toy'),
  },
  required: ['TOY_URL', 'TOY_TOKEN'],
  urls: ['TOY_URL', 'TOY_WS_URL'],
  push: {
    variables: ['TOY_WS_URL', 'TOY_WEBHOOK_SECRET'],
    channels: [
      {
        channel: 'websocket',
        switch: 'TOY_WS_URL',
        needs: ['TOY_TOKEN'],
        bridge: (values, context) => new ToyBridge({ wsUrl: variableValue(values, 'TOY_WS_URL'), token: variableValue(values, 'TOY_TOKEN') }, context),
      },
      { channel: 'webhook', switch: 'TOY_WEBHOOK_SECRET', route: (values) => toyWebhookRoute(variableValue(values, 'TOY_WEBHOOK_SECRET')) },
    ],
  },
  defaultMaxWaitMs: 10 * 60_000,
  pollGroups: 1,
  lists: true,
  settings: (values) => ({ url: values.TOY_URL, token: values.TOY_TOKEN }),
  createAdapter: createToyAdapter,
});
