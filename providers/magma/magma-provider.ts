import { optionalText, optionalUrl } from '../../common/environment-values';
import { defineProvider } from '../provider-descriptor';

export const magmaProvider = defineProvider({
  name: 'magma',
  label: 'Magma',
  variables: {
    MAGMA_URL: optionalUrl.describe('Magma GraphQL endpoint (full URL)'),
    MAGMA_API_KEY: optionalText.describe('Magma API key (Bearer)'),
  },
  required: ['MAGMA_URL', 'MAGMA_API_KEY'],
  urls: ['MAGMA_URL'],
  // Seed: the reference loop gives an order 2 h to open its channel.
  defaultMaxWaitMs: 2 * 3_600_000,
  pollGroups: 1,
  lists: true,
  settings: (values) => ({ url: values.MAGMA_URL, apiKey: values.MAGMA_API_KEY }),
  // Loaded when a worker builds its adapters: the descriptor stays light for the library (client/).
  createAdapter: (settings, clock) => (require('./magma-client') as typeof import('./magma-client')).createMagmaAdapter(settings, clock),
});
