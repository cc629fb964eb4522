import type { Client } from '@temporalio/client';
import type { OrderTracker } from '../../client/order-tracker';
import { ConfigError, loadConfig } from '../../common/config';
import { houdiniBridgeFromConfig } from '../../workers/push/houdini-config';
import { pushBridgesFromConfig } from '../../workers/push/push-config';

const tracker = { push: jest.fn() } as unknown as OrderTracker;
const client = {} as Client;
const houdini = { HOUDINI_URL: 'http://127.0.0.1:9/', HOUDINI_PARTNER_ID: 'partner', HOUDINI_SECRET: 'secret' };

test('no HOUDINI_WS_URL, no Houdini bridge', () => {
  expect(houdiniBridgeFromConfig(loadConfig(houdini), tracker, client)).toBeUndefined();
  expect(pushBridgesFromConfig(loadConfig({}), tracker, client)).toEqual([]);
});

test('HOUDINI_WS_URL with the partner credentials: one Houdini bridge (not started)', () => {
  const config = loadConfig({ ...houdini, HOUDINI_WS_URL: 'ws://127.0.0.1:9/ws' });
  expect(houdiniBridgeFromConfig(config, tracker, client)?.provider).toBe('houdini');
  expect(pushBridgesFromConfig(config, tracker, client).map((bridge) => bridge.provider)).toContain('houdini');
});

test('HOUDINI_WS_URL without the credentials is a clear configuration error', () => {
  const config = loadConfig({ HOUDINI_WS_URL: 'ws://127.0.0.1:9/ws' });
  expect(() => houdiniBridgeFromConfig(config, tracker, client)).toThrow(ConfigError);
  expect(() => houdiniBridgeFromConfig(config, tracker, client)).toThrow(/HOUDINI_WS_URL is set but HOUDINI_PARTNER_ID, HOUDINI_SECRET is not/);
});
