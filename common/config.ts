import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { Metadata, TLSConfig } from '@temporalio/client';
import { resolve } from 'node:path';
import { type ProviderSettings, registeredProviders } from '../providers/registry';
import type { ProviderName } from '../domain/types';
import { type Environment, budgetVariable, environmentSchemaOf, pollGroupsVariable, reconcileVariable } from './environment-schema';

export { PACKAGE_ROOT, type Environment, environmentSchema } from './environment-schema';

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
