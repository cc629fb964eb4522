/**
 * Every variable the project reads, with its zod check and description: the project's own and each
 * provider's (its descriptor's, its request budget, its poll groups). config.ts reads the environment
 * against it; the configuration table in docs/operations.md is checked against it.
 */
import { basename, resolve, sep } from 'node:path';
import { z } from 'zod';
import { type AnyProviderDescriptor, BUILT_IN_PROVIDERS } from '../providers/registry';
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

export function budgetVariable(provider: ProviderName): string {
  return `${provider.toUpperCase()}_REQUESTS_PER_SECOND`;
}

export function pollGroupsVariable(provider: ProviderName): string {
  return `${provider.toUpperCase()}_POLL_GROUPS`;
}

export function reconcileVariable(provider: ProviderName): string {
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
export function environmentSchemaOf(descriptors: readonly AnyProviderDescriptor[]) {
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
