import { ConfigError, loadConfig } from '../../common/config';

const MAGMA = { MAGMA_URL: 'http://127.0.0.1:4001/graphql', MAGMA_API_KEY: 'key' };

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('fills the defaults from an empty environment', () => {
    const config = loadConfig({});
    expect(config.environment).toMatchObject({
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'order-tracking',
      INGRESS_PORT: 8080,
    });
    expect(config.environment.METRICS_PORT).toBeUndefined();
    expect(config.configuredProviders).toEqual([]);
    expect(config.taskQueue).toBe('order-tracking');
    expect(config.namespace).toBe('default');
    expect(config.databaseUrl).toMatch(/^sqlite:.*ledger\.sqlite$/);
    expect(config.requestsPerSecond).toEqual({ magma: 5, miraclecash: 5, ozzobit: 5, houdini: 5 });
  });

  it.each([
    [{ OZZOBIT_WS_URL: 'ws://127.0.0.1:9/ws' }, 'OZZOBIT_WS_URL is set but OZZOBIT_API_KEY is not'],
    [{ OZZOBIT_WS_URL: 'ws://127.0.0.1:9/ws', OZZOBIT_URL: 'http://127.0.0.1:9', OZZOBIT_SECRET_KEY: 'rest' }, 'OZZOBIT_WS_URL is set but OZZOBIT_API_KEY is not'],
    [{ HOUDINI_WS_URL: 'ws://127.0.0.1:9/ws' }, 'HOUDINI_WS_URL is set but HOUDINI_PARTNER_ID, HOUDINI_SECRET is not'],
    [{ HOUDINI_WS_URL: 'ws://127.0.0.1:9/ws', HOUDINI_PARTNER_ID: 'partner' }, 'HOUDINI_WS_URL is set but HOUDINI_SECRET is not'],
  ] as [NodeJS.ProcessEnv, string][])('refuses a push switch without what its channel needs, naming both: %j', (env, message) => {
    expect(configError(env).message).toContain(message);
  });

  it('takes a push need without its switch (the channel is off)', () => {
    expect(loadConfig({ OZZOBIT_API_KEY: 'key' }).pushFallbackPollMs).toEqual({});
  });

  it.each([
    ['no push settings', {}, {}],
    ['OZZOBiT webhooks', { OZZOBIT_WEBHOOK_SECRET: 'whsec' }, { ozzobit: 120_000 }],
    ['the OZZOBiT socket', { OZZOBIT_WS_URL: 'http://127.0.0.1:4003/ws', OZZOBIT_API_KEY: 'key' }, { ozzobit: 120_000 }],
    [
      'the Houdini WebSocket, 5 min',
      { HOUDINI_WS_URL: 'ws://127.0.0.1:4004/ws', HOUDINI_PARTNER_ID: 'partner', HOUDINI_SECRET: 'secret', HOUDINI_URL: 'http://127.0.0.1:4004', PUSH_FALLBACK_POLL: '5m' },
      { houdini: 300_000 },
    ],
  ] as [string, NodeJS.ProcessEnv, Record<string, number>][])('slows the polls of pushed providers only: %s', (_name, env, expected) => {
    expect(loadConfig(env).pushFallbackPollMs).toEqual(expected);
  });

  it('hands each configured provider its typed settings, from its descriptor', () => {
    const config = loadConfig({
      ...MAGMA,
      MIRACLECASH_URL: 'http://127.0.0.1:4002',
      MIRACLECASH_CLIENT_ID: 'client',
      MIRACLECASH_API_KEY: 'mc-key',
      MIRACLECASH_MAX_POLL: '10m',
    });
    expect(config.configuredProviders).toEqual(['magma', 'miraclecash']);
    expect(config.providers).toEqual({
      magma: { url: 'http://127.0.0.1:4001/graphql', apiKey: 'key' },
      miraclecash: { url: 'http://127.0.0.1:4002', clientId: 'client', apiKey: 'mc-key', maxPollMs: 600_000 },
    });
  });

  it('treats empty values as unset', () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: '', INGRESS_PORT: '', MAGMA_URL: '', MAGMA_API_KEY: '' });
    expect(config.environment.TEMPORAL_ADDRESS).toBe('127.0.0.1:7233');
    expect(config.environment.INGRESS_PORT).toBe(8080);
    expect(config.configuredProviders).toEqual([]);
  });

  it('ignores variables it does not know', () => {
    expect(() => loadConfig({ PATH: '/usr/bin', HOME: '/root', SOMETHING_ELSE: 'x' })).not.toThrow();
  });

  it.each([
    ['TEMPORAL_ADDRESS', 'temporal.example.com:7233', (config: ReturnType<typeof loadConfig>) => config.environment.TEMPORAL_ADDRESS, 'temporal.example.com:7233'],
    ['TEMPORAL_NAMESPACE', 'orders', (config: ReturnType<typeof loadConfig>) => config.namespace, 'orders'],
    ['TEMPORAL_TASK_QUEUE', 'orders-v2', (config: ReturnType<typeof loadConfig>) => config.taskQueue, 'orders-v2'],
    ['INGRESS_PORT', '9090', (config: ReturnType<typeof loadConfig>) => config.environment.INGRESS_PORT, 9090],
    ['METRICS_PORT', '9464', (config: ReturnType<typeof loadConfig>) => config.environment.METRICS_PORT, 9464],
    ['TEMPORAL_TLS', 'true', (config: ReturnType<typeof loadConfig>) => config.environment.TEMPORAL_TLS, true],
    ['TEMPORAL_TLS', '0', (config: ReturnType<typeof loadConfig>) => config.environment.TEMPORAL_TLS, false],
    ['DATABASE_URL', 'sqlite:/tmp/ledger.sqlite', (config: ReturnType<typeof loadConfig>) => config.databaseUrl, 'sqlite:/tmp/ledger.sqlite'],
    ['MAGMA_REQUESTS_PER_SECOND', '2.5', (config: ReturnType<typeof loadConfig>) => config.requestsPerSecond.magma, 2.5],
    ['PUSH_FALLBACK_POLL', '90s', (config: ReturnType<typeof loadConfig>) => config.environment.PUSH_FALLBACK_POLL, 90_000],
    ['SANDBOX_TIME_SCALE', '5', (config: ReturnType<typeof loadConfig>) => config.timeScale, 5],
  ] as [string, string, (config: ReturnType<typeof loadConfig>) => unknown, unknown][])(
    'reads %s=%s',
    (name, value, read, expected) => {
      expect(read(loadConfig({ [name]: value }))).toEqual(expected);
    },
  );

  it.each([
    ['TEMPORAL_ADDRESS', 'nonsense'],
    ['TEMPORAL_ADDRESS', 'http://127.0.0.1:7233'],
    ['TEMPORAL_ADDRESS', 'host:port'],
    ['TEMPORAL_ADDRESS', 'two words:7233'],
    ['TEMPORAL_TASK_QUEUE', 'has space'],
    ['TEMPORAL_TLS', 'yes'],
    ['MAGMA_URL', 'not a url'],
    ['FULFILLMENT_WEBHOOK_URL', 'example.com/hook'],
    ['HOUDINI_WS_URL', '://'],
    ['INGRESS_PORT', 'eighty'],
    ['INGRESS_PORT', '0'],
    ['INGRESS_PORT', '65536'],
    ['INGRESS_PORT', '-1'],
    ['INGRESS_PORT', '80.5'],
    ['METRICS_PORT', '70000'],
    ['MAGMA_REQUESTS_PER_SECOND', '0'],
    ['MAGMA_REQUESTS_PER_SECOND', 'fast'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['PUSH_FALLBACK_POLL', '2 minutes'],
    ['PUSH_FALLBACK_POLL', '0s'],
    ['PUSH_FALLBACK_POLL', '120'],
    ['SANDBOX_TIME_SCALE', '0.5'],
    ['SANDBOX_TIME_SCALE', 'fast'],
    ['SANDBOX_TIME_SCALE', '20000'],
  ])('rejects %s=%j with a ConfigError naming the variable', (name, value) => {
    const error = configError({ [name]: value });
    expect(error.name).toBe('ConfigError');
    expect(error.message).toContain(name);
  });

  it('has no time scale unless SANDBOX_TIME_SCALE sets one', () => {
    expect(loadConfig({}).timeScale).toBe(1);
  });

  it('refuses SANDBOX_TIME_SCALE when a provider URL is not loopback, naming both', () => {
    const real = { MAGMA_URL: 'https://magma.amboss.tech/graphql', MAGMA_API_KEY: 'key' };
    const error = configError({ ...real, SANDBOX_TIME_SCALE: '5' });
    expect(error.message).toContain('SANDBOX_TIME_SCALE');
    expect(error.message).toContain('MAGMA_URL is https://magma.amboss.tech/graphql');
    expect(loadConfig({ ...real, SANDBOX_TIME_SCALE: '1' }).timeScale).toBe(1);
    expect(loadConfig({ ...MAGMA, SANDBOX_TIME_SCALE: '5' }).timeScale).toBe(5);
  });

  it.each([['0.0.0.0'], ['::'], ['10.0.0.7'], ['ingress.example.com']])(
    'refuses INGRESS_HOST=%s without INGRESS_TOKEN, naming both',
    (host) => {
      const error = configError({ INGRESS_HOST: host });
      expect(error.message).toContain(`INGRESS_HOST is ${host}`);
      expect(error.message).toContain('INGRESS_TOKEN is not set');
      expect(loadConfig({ INGRESS_HOST: host, INGRESS_TOKEN: 'token' }).environment.INGRESS_HOST).toBe(host);
    },
  );

  it.each([['127.0.0.1'], ['127.0.0.2'], ['localhost'], ['::1']])('lets the ingress listen on loopback %s without a token', (host) => {
    expect(loadConfig({ INGRESS_HOST: host }).environment.INGRESS_HOST).toBe(host);
  });

  it('takes several encryption keys, newest first, and refuses a list with a bad one', () => {
    const key = () => Buffer.alloc(32, Math.floor(Math.random() * 256)).toString('base64');
    const keys = `${key()},${key()}`;
    expect(loadConfig({ ORDER_TRACKER_ENCRYPTION_KEY: keys }).environment.ORDER_TRACKER_ENCRYPTION_KEY).toBe(keys);
    expect(configError({ ORDER_TRACKER_ENCRYPTION_KEY: `${key()},short` }).message).toContain('ORDER_TRACKER_ENCRYPTION_KEY');
  });

  it('names every bad variable at once', () => {
    const error = configError({ TEMPORAL_ADDRESS: 'nonsense', INGRESS_PORT: 'eighty' });
    expect(error.message).toContain('TEMPORAL_ADDRESS');
    expect(error.message).toContain('INGRESS_PORT');
  });

  it.each([
    ['MAGMA_URL without MAGMA_API_KEY', { MAGMA_URL: MAGMA.MAGMA_URL }, ['MAGMA_URL', 'MAGMA_API_KEY']],
    ['MAGMA_API_KEY without MAGMA_URL', { MAGMA_API_KEY: 'key' }, ['MAGMA_API_KEY', 'MAGMA_URL']],
    [
      'MIRACLECASH_URL without its client id and key',
      { MIRACLECASH_URL: 'http://127.0.0.1:4002' },
      ['MIRACLECASH_URL', 'MIRACLECASH_CLIENT_ID', 'MIRACLECASH_API_KEY'],
    ],
    ['HOUDINI_SECRET alone', { HOUDINI_SECRET: 's' }, ['HOUDINI_SECRET', 'HOUDINI_URL', 'HOUDINI_PARTNER_ID']],
    [
      'FULFILLMENT_WEBHOOK_URL without its secret',
      { FULFILLMENT_WEBHOOK_URL: 'https://shop.example.com/hook' },
      ['FULFILLMENT_WEBHOOK_URL', 'FULFILLMENT_WEBHOOK_SECRET'],
    ],
  ] as [string, NodeJS.ProcessEnv, string[]][])('rejects %s, naming both', (_name, env, names) => {
    const error = configError(env);
    for (const name of names) expect(error.message).toContain(name);
  });

  it.each([
    ['nothing', {}, []],
    ['magma', MAGMA, ['magma']],
    ['ozzobit (REST settings only)', { OZZOBIT_URL: 'http://127.0.0.1:4003', OZZOBIT_SECRET_KEY: 's' }, ['ozzobit']],
    [
      'all four',
      {
        ...MAGMA,
        MIRACLECASH_URL: 'http://127.0.0.1:4002',
        MIRACLECASH_CLIENT_ID: 'id',
        MIRACLECASH_API_KEY: 'key',
        OZZOBIT_URL: 'http://127.0.0.1:4003',
        OZZOBIT_SECRET_KEY: 's',
        HOUDINI_URL: 'http://127.0.0.1:4004',
        HOUDINI_PARTNER_ID: 'p',
        HOUDINI_SECRET: 's',
      },
      ['magma', 'miraclecash', 'ozzobit', 'houdini'],
    ],
    ['magma with a webhook and its secret', { ...MAGMA, FULFILLMENT_WEBHOOK_URL: 'https://shop.example.com/hook', FULFILLMENT_WEBHOOK_SECRET: 'x' }, ['magma']],
  ] as [string, NodeJS.ProcessEnv, string[]][])('configuredProviders for %s', (_name, env, providers) => {
    expect(loadConfig(env).configuredProviders).toEqual(providers);
  });

  it('accepts the secret without the webhook URL', () => {
    expect(() => loadConfig({ FULFILLMENT_WEBHOOK_SECRET: 'x' })).not.toThrow();
  });
});
