import { z } from 'zod';
import { optionalText, optionalUrl } from '../../common/environment-values';
import { defineProvider, variableValue } from '../provider-descriptor';

// Loaded by the ingress alone, when a channel is switched on: the library never loads socket.io.
const pushes = () => require('./ozzobit-push') as typeof import('./ozzobit-push');

export const ozzobitProvider = defineProvider({
  name: 'ozzobit',
  label: 'OZZOBiT',
  variables: {
    OZZOBIT_URL: optionalUrl.describe('OZZOBiT base URL before /api/v2/orders'),
    OZZOBIT_SECRET_KEY: optionalText.describe('OZZOBiT REST secret key (Bearer)'),
    OZZOBIT_API_KEY: optionalText.describe('OZZOBiT socket.io auth.apiKey (the ingress push bridge)'),
    OZZOBIT_WS_URL: optionalUrl.describe('OZZOBiT socket.io URL with its /ws namespace; set it to run the bridge'),
    OZZOBIT_WEBHOOK_SECRET: optionalText.describe('OZZOBiT webhook signing secret; set it to accept POST /webhooks/ozzobit'),
    OZZOBIT_WEBHOOK_SCHEME: z.enum(['hmac', 'jwt']).default('hmac')
      .describe('How OZZOBiT webhooks are verified: `hmac` (`x-OZZOBiT-signature` = HMAC-SHA256 of the raw body as hex, `sha256=<hex>` or base64) or `jwt` (body `{ data: "<HS256 JWT>" }`, the event in its claims), both keyed with `OZZOBIT_WEBHOOK_SECRET`'),
  },
  required: ['OZZOBIT_URL', 'OZZOBIT_SECRET_KEY'],
  urls: ['OZZOBIT_URL', 'OZZOBIT_WS_URL'],
  push: {
    variables: ['OZZOBIT_WEBHOOK_SECRET', 'OZZOBIT_WS_URL', 'OZZOBIT_API_KEY'],
    channels: [
      {
        channel: 'webhook',
        switch: 'OZZOBIT_WEBHOOK_SECRET',
        route: (values, context) => pushes().ozzobitWebhook({ secret: variableValue(values, 'OZZOBIT_WEBHOOK_SECRET'), scheme: values.OZZOBIT_WEBHOOK_SCHEME }, context),
      },
      {
        channel: 'socketio',
        switch: 'OZZOBIT_WS_URL',
        needs: ['OZZOBIT_API_KEY'],
        bridge: (values, context) => pushes().ozzobitBridge({ wsUrl: variableValue(values, 'OZZOBIT_WS_URL'), apiKey: variableValue(values, 'OZZOBIT_API_KEY') }, context),
      },
    ],
  },
  // Seed: card on-ramp orders settle in minutes; 2 h leaves room for PENDING_DELIVERY.
  defaultMaxWaitMs: 2 * 3_600_000,
  pollGroups: 2,
  settings: (values) => ({ url: values.OZZOBIT_URL, secretKey: values.OZZOBIT_SECRET_KEY }),
  // Loaded when a worker builds its adapters: the descriptor stays light for the library (client/).
  createAdapter: (settings, clock) => (require('./ozzobit-client') as typeof import('./ozzobit-client')).createOzzobitAdapter(settings, clock),
});
