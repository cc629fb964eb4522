import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { basename, resolve } from 'node:path';
import { z } from 'zod';
import { PROVIDER_NAMES, type ProviderName } from '../workflows/types';
import { parseDuration } from './duration';

/**
 * The project's own data (ledger, dev server database) lives beside the code, whatever the cwd: in
 * the project's folder, also when this file runs compiled from dist/common/ (the image).
 */
const PROJECT_ROOT = resolve(__dirname, basename(resolve(__dirname, '..')) === 'dist' ? '../..' : '..');
export const PROJECT_DATA_DIR = resolve(PROJECT_ROOT, '.data');
const DEFAULT_DATABASE_URL = `sqlite:${resolve(PROJECT_DATA_DIR, 'ledger.sqlite')}`;

const optionalText = z.string().trim().min(1).optional();
const optionalUrl = z.string().trim().url().optional();
const port = z.coerce.number().int().min(1).max(65_535);
const requestsPerSecond = z.coerce.number().positive().max(10_000);
const duration = z.string().trim().transform((text, context) => {
  const milliseconds = parseDuration(text);
  if (milliseconds === undefined) {
    context.addIssue({ code: z.ZodIssueCode.custom, message: 'expected a duration such as 90s, 2m or 1h' });
    return z.NEVER;
  }
  return milliseconds;
});
const booleanText = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

/** Every variable the project reads, with its description; README's table is checked against it. */
export const environmentSchema = z.object({
  TEMPORAL_ADDRESS: z.string().trim().regex(/^[^\s:/]+:\d{1,5}$/, 'expected host:port').default('127.0.0.1:7233')
    .describe('Temporal frontend host:port'),
  TEMPORAL_NAMESPACE: z.string().trim().min(1).default('default').describe('Temporal namespace'),
  TEMPORAL_TASK_QUEUE: z.string().trim().regex(/^[A-Za-z0-9._-]{1,100}$/, 'expected 1-100 of A-Z a-z 0-9 . _ -')
    .default('order-tracking').describe('Task queue of the workflows; polls use `<queue>-poll-<provider>`'),
  TEMPORAL_API_KEY: optionalText.describe('API key for Temporal Cloud (implies TLS)'),
  TEMPORAL_TLS: booleanText.optional().describe('Use TLS to reach Temporal'),
  TEMPORAL_TLS_CLIENT_CERT_PATH: optionalText.describe('mTLS client certificate file'),
  TEMPORAL_TLS_CLIENT_KEY_PATH: optionalText.describe('mTLS client key file'),
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: optionalText.describe('CA certificate of the server'),
  TEMPORAL_TLS_SERVER_NAME: optionalText.describe('TLS server name override'),
  MAGMA_URL: optionalUrl.describe('Magma GraphQL endpoint (full URL)'),
  MAGMA_API_KEY: optionalText.describe('Magma API key (Bearer)'),
  MIRACLECASH_URL: optionalUrl.describe('MiracleCash API base URL'),
  MIRACLECASH_CLIENT_ID: optionalText.describe('MiracleCash client id (Basic auth user)'),
  MIRACLECASH_API_KEY: optionalText.describe('MiracleCash API key (Basic auth password)'),
  OZZOBIT_URL: optionalUrl.describe('OZZOBiT base URL before /api/v2/orders'),
  OZZOBIT_SECRET_KEY: optionalText.describe('OZZOBiT REST secret key (Bearer)'),
  OZZOBIT_API_KEY: optionalText.describe('OZZOBiT socket.io auth.apiKey (the ingress push bridge)'),
  OZZOBIT_WS_URL: optionalUrl.describe('OZZOBiT socket.io URL with its /ws namespace; set it to run the bridge'),
  OZZOBIT_WEBHOOK_SECRET: optionalText.describe('OZZOBiT webhook signing secret; set it to accept POST /webhooks/ozzobit'),
  OZZOBIT_WEBHOOK_SCHEME: z.enum(['hmac', 'jwt']).default('hmac')
    .describe('How OZZOBiT webhooks are verified: `hmac` (`x-OZZOBiT-signature` = HMAC-SHA256 of the raw body as hex, `sha256=<hex>` or base64) or `jwt` (body `{ data: "<HS256 JWT>" }`, the event in its claims), both keyed with `OZZOBIT_WEBHOOK_SECRET`'),
  HOUDINI_URL: optionalUrl.describe('Houdini base URL before /v2/orders'),
  HOUDINI_PARTNER_ID: optionalText.describe('Houdini partner id'),
  HOUDINI_SECRET: optionalText.describe('Houdini secret'),
  HOUDINI_WS_URL: optionalUrl.describe('Houdini WebSocket URL; set it to run the push bridge'),
  PUSH_FALLBACK_POLL: duration.default('2m')
    .describe('Poll interval of an in-flight order whose provider pushes (OZZOBiT with `OZZOBIT_WEBHOOK_SECRET` or `OZZOBIT_WS_URL`, Houdini with `HOUDINI_WS_URL` set on the worker), while its push channel is up and a verified push has reached the order: polls are then the fallback for a lost push'),
  MIRACLECASH_MAX_POLL: duration.pipe(z.number().min(5_000, 'at least 5s (the per-order floor)').max(3_600_000, 'at most 1h')).default('30s')
    .describe('Longest wait between polls of an open MiracleCash payment; the seed re-queues every 30 s. The cadence backs off with the payment\'s age up to this (10m costs 300 requests over a 24 h window instead of 2,945)'),
  MAGMA_REQUESTS_PER_SECOND: requestsPerSecond.default(5).describe('Magma request budget across all workers'),
  MIRACLECASH_REQUESTS_PER_SECOND: requestsPerSecond.default(5).describe('MiracleCash request budget across all workers'),
  OZZOBIT_REQUESTS_PER_SECOND: requestsPerSecond.default(5).describe('OZZOBiT request budget across all workers'),
  HOUDINI_REQUESTS_PER_SECOND: requestsPerSecond.default(5).describe('Houdini request budget across all workers'),
  DATABASE_URL: z.string().trim().regex(/^(sqlite:|postgres:\/\/|postgresql:\/\/)/, 'expected sqlite:<file> or postgres://…')
    .default(DEFAULT_DATABASE_URL).describe('Ledger: `sqlite:<file>` or `postgres://…`'),
  FULFILLMENT_WEBHOOK_URL: optionalUrl.describe('Where each recorded outcome is POSTed as a signed callback'),
  FULFILLMENT_WEBHOOK_SECRET: optionalText.describe('HMAC secret(s) of the callback signature, comma-separated during a rotation (required with the URL)'),
  INGRESS_PORT: port.default(8080).describe('Port of the webhook and HTTP API server'),
  INGRESS_HOST: z.string().trim().min(1).default('127.0.0.1').describe('Address the ingress listens on (0.0.0.0 in a container)'),
  INGRESS_TOKEN: optionalText.describe('Bearer token the HTTP API requires when set; required when `INGRESS_HOST` is not loopback'),
  ORDER_TRACKER_ENCRYPTION_KEY: z.string().trim()
    .refine(
      (value) => value.split(',').every((key) => /^[A-Za-z0-9+/]+={0,2}$/.test(key.trim()) && Buffer.from(key.trim(), 'base64').length === 32),
      'expected keys of 32 bytes, base64-encoded (openssl rand -base64 32), newest first and comma-separated during a rotation',
    )
    .optional().describe('Encrypts order data in workflow history (AES-256-GCM); clients, workers and the codec server need the same keys. During a rotation: `<new>,<old>` (encrypts with the first, decrypts each payload with the key it names)'),
  WORKFLOW_BUNDLE: optionalText.describe('Folder written by `order-tracker bundle-workflows <dir>` (the worker image has one): the worker loads the workflows bundled there instead of bundling them at start. Rebuild it after changing workflow code'),
  METRICS_PORT: port.optional().describe('Port of the Prometheus endpoint (`/metrics`) of `worker`, `ingress` and `dev`; none when unset'),
  METRICS_HOST: z.string().trim().ip('expected an IP address').default('127.0.0.1')
    .describe('Address the Prometheus endpoint binds; `0.0.0.0` exposes it (containers)'),
  SANDBOX_TIME_SCALE: z.coerce.number().min(1).max(10_000).default(1)
    .describe('Shrinks every cadence and the 5 s floor of the orders this process starts or a push starts (the benchmark); refused unless every provider URL is loopback'),
});

export type Environment = z.infer<typeof environmentSchema>;

/**
 * The variables that configure pushes (the ingress's webhooks and bridges). On a worker they also say
 * that pushes report changes, so its polls of those providers slow to PUSH_FALLBACK_POLL.
 */
export const PUSH_VARIABLES = ['OZZOBIT_WEBHOOK_SECRET', 'OZZOBIT_WS_URL', 'OZZOBIT_API_KEY', 'HOUDINI_WS_URL'] as const;

/** `variables` without the push settings: for a worker that runs with no ingress beside it. */
export function withoutPushSettings<T extends Record<string, string | undefined>>(variables: T): T {
  const copy = { ...variables };
  for (const name of PUSH_VARIABLES) delete copy[name];
  return copy;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Which variables a provider needs before the worker can poll it. */
const PROVIDER_VARIABLES: Record<ProviderName, (keyof Environment)[]> = {
  magma: ['MAGMA_URL', 'MAGMA_API_KEY'],
  miraclecash: ['MIRACLECASH_URL', 'MIRACLECASH_CLIENT_ID', 'MIRACLECASH_API_KEY'],
  ozzobit: ['OZZOBIT_URL', 'OZZOBIT_SECRET_KEY'],
  houdini: ['HOUDINI_URL', 'HOUDINI_PARTNER_ID', 'HOUDINI_SECRET'],
};

export interface Config {
  environment: Environment;
  /** SANDBOX_TIME_SCALE: 1 unless every provider URL is loopback (assertTimeScaleAllowed). */
  timeScale: number;
  /** Providers whose REST/GraphQL settings are complete. */
  configuredProviders: ProviderName[];
  databaseUrl: string;
  taskQueue: string;
  namespace: string;
  requestsPerSecond: Record<ProviderName, number>;
  /** Providers whose pushes are configured, with the interval polls slow to while an order is in flight. */
  pushFallbackPollMs: Partial<Record<ProviderName, number>>;
}

/** The one place that reads the environment. Throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid environment: ${problems.join('; ')}`);
  }
  const environment = parsed.data;
  const problems: string[] = [];
  const configuredProviders = PROVIDER_NAMES.filter((provider) => {
    const variables = PROVIDER_VARIABLES[provider];
    const missing = variables.filter((name) => environment[name] === undefined);
    if (missing.length > 0 && missing.length < variables.length) {
      problems.push(`${variables.find((name) => environment[name] !== undefined)} is set but ${missing.join(', ')} is not`);
    }
    return missing.length === 0;
  });
  if (environment.FULFILLMENT_WEBHOOK_URL && !environment.FULFILLMENT_WEBHOOK_SECRET) {
    problems.push('FULFILLMENT_WEBHOOK_URL is set but FULFILLMENT_WEBHOOK_SECRET is not');
  }
  if (!isLoopbackHost(environment.INGRESS_HOST) && environment.INGRESS_TOKEN === undefined) {
    problems.push(`INGRESS_HOST is ${environment.INGRESS_HOST} (reachable from other machines) but INGRESS_TOKEN is not set: the HTTP API would let anyone track and cancel orders`);
  }
  const timeScaleProblem = timeScaleRefusal(environment, environment.SANDBOX_TIME_SCALE);
  if (timeScaleProblem !== undefined) problems.push(`SANDBOX_TIME_SCALE: ${timeScaleProblem}`);
  if (problems.length > 0) throw new ConfigError(`invalid environment: ${problems.join('; ')}`);
  const pushed: ProviderName[] = [
    ...(environment.OZZOBIT_WEBHOOK_SECRET || environment.OZZOBIT_WS_URL ? (['ozzobit'] as const) : []),
    ...(environment.HOUDINI_WS_URL ? (['houdini'] as const) : []),
  ];
  return {
    environment,
    timeScale: environment.SANDBOX_TIME_SCALE,
    configuredProviders,
    databaseUrl: environment.DATABASE_URL,
    taskQueue: environment.TEMPORAL_TASK_QUEUE,
    namespace: environment.TEMPORAL_NAMESPACE,
    requestsPerSecond: {
      magma: environment.MAGMA_REQUESTS_PER_SECOND,
      miraclecash: environment.MIRACLECASH_REQUESTS_PER_SECOND,
      ozzobit: environment.OZZOBIT_REQUESTS_PER_SECOND,
      houdini: environment.HOUDINI_REQUESTS_PER_SECOND,
    },
    pushFallbackPollMs: Object.fromEntries(pushed.map((provider) => [provider, environment.PUSH_FALLBACK_POLL])),
  };
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** 127.0.0.0/8, ::1 and localhost: only this machine can reach an address like these. */
function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
const PROVIDER_URLS = ['MAGMA_URL', 'MIRACLECASH_URL', 'OZZOBIT_URL', 'OZZOBIT_WS_URL', 'HOUDINI_URL', 'HOUDINI_WS_URL'] as const;

/**
 * A time scale shrinks every cadence and the 5 s floor: fine against the loopback sandbox, a
 * throttling (or a ban) against a real provider. Refused unless every provider URL is loopback.
 */
export function assertTimeScaleAllowed(config: Config, timeScale: number): void {
  const refusal = timeScaleRefusal(config.environment, timeScale);
  if (refusal !== undefined) throw new ConfigError(refusal);
}

function timeScaleRefusal(environment: Environment, timeScale: number): string | undefined {
  if (timeScale === 1) return undefined;
  for (const name of PROVIDER_URLS) {
    const value = environment[name];
    if (value !== undefined && !LOOPBACK_HOSTS.has(new URL(value).hostname)) {
      return `a time scale of ${timeScale} is only allowed against the loopback sandbox, but ${name} is ${value}`;
    }
  }
  return undefined;
}

/**
 * Temporal connection settings through @temporalio/envconfig (TEMPORAL_ADDRESS, TEMPORAL_API_KEY,
 * TEMPORAL_TLS_*, and its config file), with our validated address and namespace.
 */
export function temporalConnection(config: Config, env: NodeJS.ProcessEnv = process.env): {
  connectionOptions: NativeConnectionOptions;
  namespace: string;
} {
  const variables = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''),
  );
  const loaded = loadClientConnectConfig({ overrideEnvVars: variables });
  return {
    connectionOptions: { ...loaded.connectionOptions, address: config.environment.TEMPORAL_ADDRESS },
    namespace: config.namespace,
  };
}
