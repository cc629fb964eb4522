import { z } from 'zod';
import { duration, optionalText, optionalUrl } from '../../common/environment-values';
import { defineProvider } from '../provider-descriptor';

export const miracleCashProvider = defineProvider({
  name: 'miraclecash',
  label: 'MiracleCash',
  variables: {
    MIRACLECASH_URL: optionalUrl.describe('MiracleCash API base URL'),
    MIRACLECASH_CLIENT_ID: optionalText.describe('MiracleCash client id (Basic auth user)'),
    MIRACLECASH_API_KEY: optionalText.describe('MiracleCash API key (Basic auth password)'),
    MIRACLECASH_MAX_POLL: duration.pipe(z.number().min(5_000, 'at least 5s (the per-order floor)').max(3_600_000, 'at most 1h')).default('5s')
      .describe('Longest wait between polls of an open MiracleCash payment; the seed polls every 5 s. Raised, the cadence backs off with the payment\'s age up to it: an abandoned 24 h prompt costs 17,281 requests at 5s, 2,945 at 30s (the seed\'s background re-queue), 300 at 10m'),
  },
  required: ['MIRACLECASH_URL', 'MIRACLECASH_CLIENT_ID', 'MIRACLECASH_API_KEY'],
  urls: ['MIRACLECASH_URL'],
  // Seed: a prompt expires after 24 h without payment; an hour more lets us see `expired`.
  defaultMaxWaitMs: 25 * 3_600_000,
  pollGroups: 2,
  settings: (values) => ({
    url: values.MIRACLECASH_URL,
    clientId: values.MIRACLECASH_CLIENT_ID,
    apiKey: values.MIRACLECASH_API_KEY,
    maxPollMs: values.MIRACLECASH_MAX_POLL,
  }),
  // Loaded when a worker builds its adapters: the descriptor stays light for the library (client/).
  createAdapter: (settings, clock) => (require('./miraclecash-client') as typeof import('./miraclecash-client')).createMiracleCashAdapter(settings, clock),
});
