/**
 * Which push channels `order-tracker ingress` runs, from the environment: every channel a provider's
 * descriptor names whose variable is set, built by the provider's own code (not started), with what
 * the channel monitor watches (a switch without what its channel needs is refused by loadConfig:
 * config.loadConfig.test.ts).
 */
import { loadConfig } from '../../common/config';
import type { PushTarget } from '../../providers/push/push-channel';
import { pushChannelsFromConfig } from '../../workers/push/push-channels';
import type { VisibilityClient } from '../../workers/push/tracked-orders';

const tracker: PushTarget = { push: jest.fn() };
const client = {} as VisibilityClient;
const HOUDINI = { HOUDINI_URL: 'http://127.0.0.1:9/', HOUDINI_PARTNER_ID: 'partner', HOUDINI_SECRET: 'secret' };
const OZZOBIT_WS = { OZZOBIT_WS_URL: 'ws://127.0.0.1:9/ws' };

function channelsOf(env: Record<string, string>) {
  const { bridges, webhooks, sources } = pushChannelsFromConfig(loadConfig(env), tracker, client);
  return {
    bridges: bridges.map((bridge) => bridge.provider),
    webhooks: webhooks.length,
    sources: sources.map((source) => `${source.provider} ${source.channel}`),
  };
}

test.each([
  ['nothing set', {}, { bridges: [], webhooks: 0, sources: [] }],
  ['only the REST settings', HOUDINI, { bridges: [], webhooks: 0, sources: [] }],
  ['OZZOBIT_WEBHOOK_SECRET', { OZZOBIT_WEBHOOK_SECRET: 'whsec' }, { bridges: [], webhooks: 1, sources: ['ozzobit webhook'] }],
  ['OZZOBIT_WS_URL and OZZOBIT_API_KEY', { ...OZZOBIT_WS, OZZOBIT_API_KEY: 'key' }, { bridges: ['ozzobit'], webhooks: 0, sources: ['ozzobit socketio'] }],
  ['only OZZOBIT_API_KEY', { OZZOBIT_API_KEY: 'key' }, { bridges: [], webhooks: 0, sources: [] }],
  ['HOUDINI_WS_URL with the partner credentials', { ...HOUDINI, HOUDINI_WS_URL: 'ws://127.0.0.1:9/ws' }, { bridges: ['houdini'], webhooks: 0, sources: ['houdini websocket'] }],
  [
    'every push setting',
    { ...HOUDINI, HOUDINI_WS_URL: 'ws://127.0.0.1:9/ws', ...OZZOBIT_WS, OZZOBIT_API_KEY: 'key', OZZOBIT_WEBHOOK_SECRET: 'whsec' },
    { bridges: ['ozzobit', 'houdini'], webhooks: 1, sources: ['ozzobit webhook', 'ozzobit socketio', 'houdini websocket'] },
  ],
])('%s: %j (built, not started)', (_name, env, expected) => {
  expect(channelsOf(env)).toEqual(expected);
});

test('a bridge reports itself to the monitor, connecting until it runs; a webhook route is up while served', () => {
  const { sources } = pushChannelsFromConfig(loadConfig({ ...OZZOBIT_WS, OZZOBIT_API_KEY: 'key', OZZOBIT_WEBHOOK_SECRET: 'whsec' }), tracker, client);
  expect(sources.map((source) => [source.channel, source.report().state])).toEqual([
    ['webhook', 'up'],
    ['socketio', 'connecting'],
  ]);
});
