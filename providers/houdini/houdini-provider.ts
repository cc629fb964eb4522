import { optionalText, optionalUrl } from '../../common/environment-values';
import { defineProvider, variableValue } from '../provider-descriptor';

export const houdiniProvider = defineProvider({
  name: 'houdini',
  label: 'Houdini',
  variables: {
    HOUDINI_URL: optionalUrl.describe('Houdini base URL before /v2/orders'),
    HOUDINI_PARTNER_ID: optionalText.describe('Houdini partner id'),
    HOUDINI_SECRET: optionalText.describe('Houdini secret'),
    HOUDINI_WS_URL: optionalUrl.describe('Houdini WebSocket URL; set it to run the push bridge'),
  },
  required: ['HOUDINI_URL', 'HOUDINI_PARTNER_ID', 'HOUDINI_SECRET'],
  urls: ['HOUDINI_URL', 'HOUDINI_WS_URL'],
  push: {
    variables: ['HOUDINI_WS_URL'],
    channels: [
      {
        channel: 'websocket',
        switch: 'HOUDINI_WS_URL',
        // The socket's handshake carries the REST credentials.
        needs: ['HOUDINI_PARTNER_ID', 'HOUDINI_SECRET'],
        bridge: (values, context) =>
          (require('./houdini-push') as typeof import('./houdini-push')).houdiniBridge(
            {
              wsUrl: variableValue(values, 'HOUDINI_WS_URL'),
              partnerId: variableValue(values, 'HOUDINI_PARTNER_ID'),
              secret: variableValue(values, 'HOUDINI_SECRET'),
              url: values.HOUDINI_URL,
            },
            context,
          ),
      },
    ],
  },
  // Seed: 30 min deposit window, then confirmation, exchange and privacy routing.
  defaultMaxWaitMs: 3 * 3_600_000,
  pollGroups: 1,
  lists: true,
  settings: (values) => ({
    url: values.HOUDINI_URL,
    partnerId: values.HOUDINI_PARTNER_ID,
    secret: values.HOUDINI_SECRET,
    // Pushes configured: polls are the safety net (the stage's cadence); none: the 5 s floor.
    pushes: values.HOUDINI_WS_URL !== undefined,
  }),
  // Loaded when a worker builds its adapters (and the ingress its bridge, above): the descriptor
  // stays light for the library (client/).
  createAdapter: (settings, clock) => (require('./houdini-client') as typeof import('./houdini-client')).createHoudiniAdapter(settings, clock),
});
