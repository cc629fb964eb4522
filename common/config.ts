import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { Metadata, TLSConfig } from '@temporalio/client';
import { basename, resolve, sep } from 'node:path';
import { z } from 'zod';
import { type AnyProviderDescriptor, BUILT_IN_PROVIDERS, type ProviderSettings, registeredProviders } from '../providers/registry';
import type { ProviderName } from '../domain/types';
import { booleanText, duration, optionalText, optionalUrl, port, requestsPerSecond } from './environment-values';
import { observabilityVariables } from './observability-variables';

/** The package's folder: the clone, the image's /app, or node_modules/order-tracker; also from dist/common/. */
export const PACKAGE_ROOT = resolve(__dirname, basename(resolve(__dirname, '..')) === 'dist' ? '../..' : '..');
/**
 * The project's own data (the dev server's database, the default ledger) lives beside the code in a
 * clone or the image, whatever the cwd; an installed package keeps it in the cwd, since a reinstall
 * replaces node_modules.
 */
const DEFAULT_DATA_DIR = resolve(PACKAGE_ROOT.split(sep).includes('node_modules') ? process.cwd() : PACKAGE_ROOT, '.data');

type BuiltIn = (typeof BUILT_IN_PROVIDERS)[number];
type UnionToIntersection<Union> = (Union extends unknown ? (value: Union) => void : never) extends (value: infer Both) => void ? Both : never;
/** Every provider's own variables (its descriptor's), and its request budget `<NAME>_REQUESTS_PER_SECOND`. */
type ProviderVariables = UnionToIntersection<BuiltIn['variables']> & {
  [Descriptor in BuiltIn as `${Uppercase<Descriptor['name']>}_REQUESTS_PER_SECOND`]: z.ZodDefault<typeof requestsPerSecond>;
} & {
  [Descriptor in BuiltIn as `${Uppercase<Descriptor['name']>}_POLL_GROUPS`]: z.ZodDefault<typeof pollGroupCount>;
};

function budgetVariable(provider: ProviderName): string {
  return `${provider.toUpperCase()}_REQUESTS_PER_SECOND`;
}

function pollGroupsVariable(provider: ProviderName): string {
  return `${provider.toUpperCase()}_POLL_GROUPS`;
}

function reconcileVariable(provider: ProviderName): string {
  return `${provider.toUpperCase()}_RECONCILE`;
}

const pollGroupCount = z.coerce.number().int().min(0).max(64);

function providerVariables(descriptors: readonly AnyProviderDescriptor[]): ProviderVariables {
  return Object.assign(
    {},
    ...descriptors.map((descriptor) => descriptor.variables),
    ...descriptors.map((descriptor) => ({
      [budgetVariable(descriptor.name)]: requestsPerSecond.default(5).describe(`${descriptor.label} request budget across all workers`),
      [pollGroupsVariable(descriptor.name)]: pollGroupCount
        .default(descriptor.pollGroups)
        .describe(`${descriptor.label} poll groups: workflows \`poll-group:${descriptor.name}:<n>\` that poll its in-flight orders from one activity each and signal an order only when it changes; 0: every order polls on its own`),
      ...(descriptor.lists === true
        ? {
            [reconcileVariable(descriptor.name)]: duration
              .optional()
              .describe(`Reconciliation: ${descriptor.label}'s list sweeps also start tracking listed orders up to this old (e.g. \`24h\`) that nobody tracks and the ledger does not hold; off when unset`),
          }
        : {}),
    })),
  ) as ProviderVariables;
}

/** The variables of the given providers with the project's own; a registered provider's join at loadConfig. */
function environmentSchemaOf(descriptors: readonly AnyProviderDescriptor[]) {
  return z.object({
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
  ...providerVariables(descriptors),
  PUSH_FALLBACK_POLL: duration.default('2m')
    .describe('Poll interval of an in-flight order whose provider pushes (OZZOBiT with `OZZOBIT_WEBHOOK_SECRET` or `OZZOBIT_WS_URL`, Houdini with `HOUDINI_WS_URL` set on the worker), while its push channel is up and a verified push has reached the order: polls are then the fallback for a lost push'),
  ORDER_TRACKER_DATA_DIR: z.string().trim().min(1).default(DEFAULT_DATA_DIR)
    .describe('Where `dev` keeps the dev server\'s database, and the SQLite ledger when `DATABASE_URL` is unset (an installed package: `.data` in the working directory)'),
  DATABASE_URL: z.string().trim().regex(/^(sqlite:|postgres:\/\/|postgresql:\/\/)/, 'expected sqlite:<file> or postgres://…')
    .optional().describe('Ledger: `sqlite:<file>` or `postgres://…`; unset, `sqlite:<ORDER_TRACKER_DATA_DIR>/ledger.sqlite`'),
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
  ...observabilityVariables,
  });
}

/** Every variable the project reads, with its description; the configuration table is checked against it. */
export const environmentSchema = environmentSchemaOf(BUILT_IN_PROVIDERS);

export type Environment = z.infer<typeof environmentSchema>;

/**
 * `variables` without the push settings (the ingress's channels, descriptors' `push.variables`): for
 * a worker that runs with no ingress beside it. On a worker they say that pushes report changes, so
 * its polls of those providers slow to PUSH_FALLBACK_POLL.
 */
export function withoutPushSettings<T extends Record<string, string | undefined>>(variables: T): T {
  const copy = { ...variables };
  for (const descriptor of registeredProviders()) for (const name of descriptor.push?.variables ?? []) delete copy[name];
  return copy;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface Config {
  environment: Environment;
  /** SANDBOX_TIME_SCALE: 1 unless every provider URL is loopback (assertTimeScaleAllowed). */
  timeScale: number;
  /** Providers whose REST/GraphQL settings are complete. */
  configuredProviders: ProviderName[];
  /** The typed settings of each configured provider, from its descriptor. */
  providers: Partial<ProviderSettings>;
  databaseUrl: string;
  /** ORDER_TRACKER_DATA_DIR, absolute. */
  dataDirectory: string;
  taskQueue: string;
  namespace: string;
  requestsPerSecond: Record<ProviderName, number>;
  /** Providers whose pushes are configured, with the interval polls slow to while an order is in flight. */
  pushFallbackPollMs: Partial<Record<ProviderName, number>>;
  /** Poll groups per provider (`<NAME>_POLL_GROUPS`); 0: its orders poll on their own. */
  pollGroups: Record<ProviderName, number>;
  /** Providers whose list sweeps start tracking untracked recent orders, with the age bound (`<NAME>_RECONCILE`). */
  reconcileMaxAgeMs: Partial<Record<ProviderName, number>>;
}

/** The one place that reads the environment. Throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = environmentSchemaOf(registeredProviders()).safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid environment: ${problems.join('; ')}`);
  }
  // Registered providers' variables come on top of the built-in ones the type names.
  const environment: Environment = parsed.data;
  const problems: string[] = [];
  const providers = providerSettings(environment, problems);
  if (environment.FULFILLMENT_WEBHOOK_URL && !environment.FULFILLMENT_WEBHOOK_SECRET) {
    problems.push('FULFILLMENT_WEBHOOK_URL is set but FULFILLMENT_WEBHOOK_SECRET is not');
  }
  if (!isLoopbackHost(environment.INGRESS_HOST) && environment.INGRESS_TOKEN === undefined) {
    problems.push(`INGRESS_HOST is ${environment.INGRESS_HOST} (reachable from other machines) but INGRESS_TOKEN is not set: the HTTP API would let anyone track and cancel orders`);
  }
  if (!isLoopbackHost(environment.CODEC_SERVER_HOST) && environment.CODEC_SERVER_TOKEN === undefined) {
    problems.push(`CODEC_SERVER_HOST is ${environment.CODEC_SERVER_HOST} (reachable from other machines) but CODEC_SERVER_TOKEN is not set: the codec server would decrypt orders for anyone`);
  }
  const timeScaleProblem = timeScaleRefusal(environment, environment.SANDBOX_TIME_SCALE);
  if (timeScaleProblem !== undefined) problems.push(`SANDBOX_TIME_SCALE: ${timeScaleProblem}`);
  if (problems.length > 0) throw new ConfigError(`invalid environment: ${problems.join('; ')}`);
  return {
    environment,
    timeScale: environment.SANDBOX_TIME_SCALE,
    configuredProviders: registeredProviders().map((descriptor) => descriptor.name).filter((name) => providers[name] !== undefined),
    providers,
    databaseUrl: environment.DATABASE_URL ?? `sqlite:${resolve(environment.ORDER_TRACKER_DATA_DIR, 'ledger.sqlite')}`,
    dataDirectory: resolve(environment.ORDER_TRACKER_DATA_DIR),
    taskQueue: environment.TEMPORAL_TASK_QUEUE,
    namespace: environment.TEMPORAL_NAMESPACE,
    requestsPerSecond: Object.fromEntries(
      registeredProviders().map((descriptor) => [descriptor.name, environmentValue(environment, budgetVariable(descriptor.name)) as number]),
    ) as Record<ProviderName, number>,
    pollGroups: Object.fromEntries(
      registeredProviders().map((descriptor) => [descriptor.name, environmentValue(environment, pollGroupsVariable(descriptor.name)) as number]),
    ) as Record<ProviderName, number>,
    reconcileMaxAgeMs: Object.fromEntries(
      registeredProviders().flatMap((descriptor) => {
        const maxAge = environmentValue(environment, reconcileVariable(descriptor.name));
        return typeof maxAge === 'number' ? [[descriptor.name, maxAge]] : [];
      }),
    ),
    pushFallbackPollMs: Object.fromEntries(
      registeredProviders().filter((descriptor) => (descriptor.push?.channels ?? []).some((channel) => environmentValue(environment, channel.switch) !== undefined)).map(
        (descriptor) => [descriptor.name, environment.PUSH_FALLBACK_POLL],
      ),
    ),
  };
}

/** A variable named by a descriptor: validated by the schema, typed by the descriptor that reads it. */
function environmentValue(environment: Environment, name: string): unknown {
  return (environment as Record<string, unknown>)[name];
}

/**
 * Each provider whose required variables are all set, with its descriptor's typed settings; some but
 * not all of them set is a problem that names what is missing, and so is a push channel switched on
 * without what it needs (OZZOBIT_WS_URL without OZZOBIT_API_KEY).
 */
function providerSettings(environment: Environment, problems: string[]): Partial<ProviderSettings> {
  const settings: Record<string, unknown> = {};
  for (const descriptor of registeredProviders()) {
    const required: readonly string[] = descriptor.required;
    const missing = required.filter((name) => environmentValue(environment, name) === undefined);
    if (missing.length > 0 && missing.length < required.length) {
      problems.push(`${required.find((name) => !missing.includes(name))} is set but ${missing.join(', ')} is not`);
    }
    // Every required variable is set: the values are what the descriptor's settings expect.
    if (missing.length === 0) settings[descriptor.name] = descriptor.settings(environment);
    for (const channel of descriptor.push?.channels ?? []) {
      const unset = (channel.needs ?? []).filter((name) => environmentValue(environment, name) === undefined);
      if (environmentValue(environment, channel.switch) !== undefined && unset.length > 0) problems.push(`${channel.switch} is set but ${unset.join(', ')} is not`);
    }
  }
  return settings as Partial<ProviderSettings>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** 127.0.0.0/8, ::1 and localhost: only this machine can reach an address like these. */
function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

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
  for (const name of registeredProviders().flatMap((descriptor) => descriptor.urls)) {
    const value = environmentValue(environment, name);
    if (typeof value === 'string' && !LOOPBACK_HOSTS.has(new URL(value).hostname)) {
      return `a time scale of ${timeScale} is only allowed against the loopback sandbox, but ${name} is ${value}`;
    }
  }
  return undefined;
}

/**
 * What both a client's Connection and a worker's NativeConnection take from the settings. Our own
 * type, not the worker's: the library's declarations must compile without @temporalio/worker.
 */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | boolean | null;
  apiKey?: string;
  metadata?: Metadata;
}

/**
 * Temporal connection settings through @temporalio/envconfig (TEMPORAL_ADDRESS, TEMPORAL_API_KEY,
 * TEMPORAL_TLS_*, and its config file), with our validated address and namespace.
 */
export function temporalConnection(config: Config, env: NodeJS.ProcessEnv = process.env): {
  connectionOptions: TemporalConnectionOptions;
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
