/** Which OZZOBiT push parts `order-tracker ingress` runs, from the environment. */
import type { Client } from '@temporalio/client';
import type { OrderTracker } from '../../client/order-tracker';
import { loadConfig } from '../../common/config';
import { pushBridgesFromConfig, webhookRoutesFromConfig } from '../../workers/push/push-config';

const tracker = {} as OrderTracker;
const client = {} as Client;
const WS = { OZZOBIT_WS_URL: 'ws://127.0.0.1:9/ws' };

test.each([
  ['nothing set', {}, 0],
  ['OZZOBIT_WEBHOOK_SECRET', { OZZOBIT_WEBHOOK_SECRET: 'whsec' }, 1],
  ['only the socket settings', { ...WS, OZZOBIT_API_KEY: 'key' }, 0],
])('webhook routes with %s: %i', (_name, env, routes) => {
  expect(webhookRoutesFromConfig(loadConfig(env), tracker)).toHaveLength(routes);
});

test.each([
  ['nothing set', {}, []],
  ['OZZOBIT_WS_URL and OZZOBIT_API_KEY', { ...WS, OZZOBIT_API_KEY: 'key' }, ['ozzobit']],
  ['only OZZOBIT_API_KEY', { OZZOBIT_API_KEY: 'key' }, []],
  ['only the webhook secret', { OZZOBIT_WEBHOOK_SECRET: 'whsec' }, []],
])('push bridges with %s: %j (built, not started)', (_name, env, providers) => {
  expect(pushBridgesFromConfig(loadConfig(env), tracker, client).map((bridge) => bridge.provider)).toEqual(providers);
});

test('OZZOBIT_WS_URL without OZZOBIT_API_KEY is a configuration error naming the variable', () => {
  expect(() => pushBridgesFromConfig(loadConfig(WS), tracker, client)).toThrow(/OZZOBIT_WS_URL is set but OZZOBIT_API_KEY is not/);
});
