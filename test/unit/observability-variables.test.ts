/**
 * The variables of traces, the audit trail and the codec server, through loadConfig as every command
 * reads them: where spans go (nothing without an endpoint), the OTLP headers, the retention, the
 * codec server's token on a reachable host, and the credentials the audit trail redacts.
 */
import { ConfigError, loadConfig } from '../../common/config';
import { parseOtlpHeaders, tracingSettings } from '../../common/observability-variables';
import { configuredSecrets } from '../../common/secrets';

describe('tracingSettings', () => {
  it('installs nothing without an endpoint', () => {
    expect(tracingSettings(loadConfig({}).environment)).toBeUndefined();
  });

  it.each([
    ['the base endpoint, traces under /v1/traces', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }, 'http://collector:4318/v1/traces'],
    ['the traces endpoint as it is', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/api/spans' }, 'https://traces.example/api/spans'],
  ] as [string, NodeJS.ProcessEnv, string][])('%s', (_name, env, tracesUrl) => {
    expect(tracingSettings(loadConfig(env).environment)).toEqual({ tracesUrl, headers: {}, serviceName: undefined });
  });

  it('reads the headers (values percent-encoded) and the service name', () => {
    const environment = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_HEADERS: 'api-key=a%3Db , x-team=orders', OTEL_SERVICE_NAME: 'shop-orders' }).environment;
    expect(tracingSettings(environment)).toEqual({ tracesUrl: 'http://c:4318/v1/traces', headers: { 'api-key': 'a=b', 'x-team': 'orders' }, serviceName: 'shop-orders' });
    expect(parseOtlpHeaders(undefined)).toEqual({});
  });

  it.each([
    ['OTEL_EXPORTER_OTLP_ENDPOINT', { OTEL_EXPORTER_OTLP_ENDPOINT: 'the collector' }],
    ['OTEL_EXPORTER_OTLP_HEADERS', { OTEL_EXPORTER_OTLP_HEADERS: 'no-equals-sign' }],
  ] as [string, NodeJS.ProcessEnv][])('refuses a bad %s, naming it', (name, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(name);
  });
});

describe('AUDIT_RETENTION and the codec server', () => {
  it('keeps answers 30 days and serves the codec on 127.0.0.1:8888 for the dev server\'s UI by default', () => {
    expect(loadConfig({}).environment).toMatchObject({
      AUDIT_RETENTION: 30 * 86_400_000,
      CODEC_SERVER_HOST: '127.0.0.1',
      CODEC_SERVER_PORT: 8888,
      CODEC_SERVER_ORIGINS: 'http://127.0.0.1:8233,http://localhost:8233',
    });
    expect(loadConfig({ AUDIT_RETENTION: '7d' }).environment.AUDIT_RETENTION).toBe(7 * 86_400_000);
  });

  it.each([
    ['AUDIT_RETENTION', { AUDIT_RETENTION: 'a month' }],
    ['CODEC_SERVER_ORIGINS', { CODEC_SERVER_ORIGINS: 'http://127.0.0.1:8233/namespaces' }],
    ['CODEC_SERVER_TOKEN', { CODEC_SERVER_HOST: '0.0.0.0' }],
  ] as [string, NodeJS.ProcessEnv][])('refuses a bad %s, naming it', (name, env) => {
    expect(() => loadConfig(env)).toThrow(name);
  });

  it('takes a reachable host with a token', () => {
    expect(loadConfig({ CODEC_SERVER_HOST: '0.0.0.0', CODEC_SERVER_TOKEN: 't0ken-123' }).environment.CODEC_SERVER_TOKEN).toBe('t0ken-123');
  });
});

describe('configuredSecrets', () => {
  it('names every credential the process was given: keys, secrets, tokens, OTLP header values, the database password', () => {
    const environment = loadConfig({
      MAGMA_URL: 'http://127.0.0.1:1/graphql',
      MAGMA_API_KEY: 'magma-key-1',
      FULFILLMENT_WEBHOOK_URL: 'http://127.0.0.1:2/cb',
      FULFILLMENT_WEBHOOK_SECRET: 'new-secret, old-secret',
      INGRESS_TOKEN: 'ingress-token',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=otlp-key',
      DATABASE_URL: 'postgres://tracker:db%40pass@db:5432/ledger',
    }).environment;
    expect(configuredSecrets(environment).sort()).toEqual(['db@pass', 'ingress-token', 'magma-key-1', 'new-secret', 'old-secret', 'otlp-key'].sort());
  });
});
