import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { bundleWorkflowCode, type NativeConnection, type WorkflowBundleOption, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActivities, type FulfilmentHooks, type PollGroupDependencies } from '../../activities';
import { temporalOrderReports } from '../../activities/poll-groups/order-reports';
import { ProviderGate } from '../../activities/provider-gate';
import type { CallbackSender } from '../../callbacks/callback-sender';
import type { Database } from '../../storage/database';
import type { Ledger } from '../../storage/ledger/ledger';
import { openDatabase } from '../../storage/open-database';
import { createMagmaAdapter } from '../../providers/magma/magma-client';
import type { ProviderRegistry } from '../../providers/provider';
import { createWorkers, runWorkers } from '../../workers/worker';
import { pollGroupWorkflowId } from '../../domain/ids';
import type { ProviderName } from '../../domain/types';

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

/**
 * Bundling the workflows takes seconds: once per test file (and per failure converter: the workflow
 * sandbox's comes with the bundle, as `Worker.create` builds it from `dataConverter.failureConverterPath`).
 */
export function workflowBundle(failureConverterPath?: string): Promise<WorkflowBundleWithSourceMap> {
  const key = failureConverterPath ?? '';
  let bundle = bundles.get(key);
  if (bundle === undefined) {
    bundle = bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger, failureConverterPath });
    bundles.set(key, bundle);
  }
  return bundle;
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message: string, meta?: unknown) => console.error(message, meta),
};

/**
 * A fresh SQLite database file in a temporary folder, opened as workers open theirs: real SQLite,
 * nothing shared between tests. The ledger's close() closes the database.
 */
export async function temporaryLedger(): Promise<{ ledger: Ledger; file: string; database: Database }> {
  const file = join(mkdtempSync(join(tmpdir(), 'order-tracker-ledger-')), 'ledger.sqlite');
  const database = await openDatabase(`sqlite:${file}`);
  return { ledger: database.ledger, file, database };
}

export function magmaProviders(url: string, apiKey: string): ProviderRegistry {
  return { magma: createMagmaAdapter({ url, apiKey, requestTimeoutMs: 5_000 }) };
}

export interface StackOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  providers: ProviderRegistry;
  ledger: Ledger;
  requestsPerSecond?: number;
  callbackSender?: CallbackSender;
  hooks?: FulfilmentHooks;
  dataConverter?: DataConverter;
  /** As PUSH_FALLBACK_POLL gives for providers whose pushes are configured. */
  pushFallbackPollMs?: Partial<Record<ProviderName, number>>;
  /** A bundle written ahead of time (as WORKFLOW_BUNDLE gives); by default the workflows bundled once per test file. */
  workflowBundle?: WorkflowBundleOption;
  /**
   * Poll groups as a worker process runs them: members and request slots in `databaseFile` (a
   * SQLite file; the ledger's is fine), reports through `client`, `shards` groups per provider (1
   * for each provider given when absent). Started with the workers.
   */
  pollGroups?: {
    client: Client;
    databaseFile: string;
    shards?: Partial<Record<ProviderName, number>>;
    onUnknownListed?: PollGroupDependencies['onUnknownListed'];
    reconcile?: PollGroupDependencies['reconcile'];
    /** False: no group workflow is started (a test plays the group itself). */
    startGroups?: boolean;
  };
}

/** Runs the real workers (workflow queue + one poll queue per provider) while `body` runs. */
export async function withWorkers<T>(options: StackOptions, body: () => Promise<T>): Promise<T> {
  const providerNames = Object.keys(options.providers) as ProviderName[];
  const rate = options.requestsPerSecond ?? 1_000;
  const groups = options.pollGroups === undefined ? undefined : await openTestPollGroups(options.pollGroups, options.taskQueue, providerNames);
  const workers = await createWorkers({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue,
    activities: createActivities({
      providers: options.providers,
      ledger: options.ledger,
      callbackSender: options.callbackSender,
      hooks: options.hooks,
      requestsPerSecond: options.requestsPerSecond === undefined ? undefined : { magma: rate, miraclecash: rate, ozzobit: rate, houdini: rate },
      pushFallbackPollMs: options.pushFallbackPollMs,
      ...(groups === undefined ? {} : { pollGroups: groups.dependencies, gate: groups.gate }),
    }),
    providers: providerNames,
    requestsPerSecond: { magma: rate, miraclecash: rate, ozzobit: rate, houdini: rate },
    workflowBundle: options.workflowBundle ?? (await workflowBundle(options.dataConverter?.failureConverterPath)),
    dataConverter: options.dataConverter,
  });
  const running = runWorkers(workers);
  try {
    await groups?.start();
    return await body();
  } finally {
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
    await groups?.close();
  }
}

async function openTestPollGroups(options: NonNullable<StackOptions['pollGroups']>, taskQueue: string, providers: ProviderName[]) {
  // A database of its own on the file, as a second worker process would open it.
  const database = await openDatabase(`sqlite:${options.databaseFile}`);
  const { members, requestSlots: slots } = database;
  const started = temporalOrderReports(options.client, taskQueue);
  const reports = options.startGroups === false ? { ...started, ensureGroup: async () => undefined } : started;
  const shards = options.shards ?? Object.fromEntries(providers.map((provider) => [provider, 1]));
  const dependencies: PollGroupDependencies = { members, reports, shards, onUnknownListed: options.onUnknownListed, reconcile: options.reconcile };
  return {
    dependencies,
    gate: new ProviderGate(Date.now, slots),
    async start() {
      for (const [provider, count] of Object.entries(shards) as [ProviderName, number][]) {
        for (let shard = 0; shard < count; shard += 1) await reports.ensureGroup(provider, shard);
      }
    },
    async close() {
      // The groups' workflows outlive the workers: end them so the next test's stack starts afresh.
      for (const [provider, count] of Object.entries(shards) as [ProviderName, number][]) {
        for (let shard = 0; shard < count; shard += 1) {
          await options.client.workflow.getHandle(pollGroupWorkflowId(provider, shard, taskQueue)).terminate('test over').catch(() => undefined);
        }
      }
      await database.close();
    },
  };
}

let counter = 0;
/** Unique per test so orders of different tests never meet. */
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}
