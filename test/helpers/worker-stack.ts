import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { bundleWorkflowCode, type NativeConnection, type WorkflowBundleOption, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FulfilmentHooks, PollGroupDependencies } from '../../activities';
import type { CallbackSender } from '../../callbacks/callback-sender';
import type { Database } from '../../storage/database';
import type { Ledger } from '../../storage/ledger/ledger';
import { openDatabase } from '../../storage/open-database';
import { createMagmaAdapter } from '../../providers/magma/magma-client';
import type { ProviderRegistry } from '../../providers/provider';
import { registeredProviders } from '../../providers/registry';
import { type Config, loadConfig } from '../../common/config';
import { type WorkerProcess, startWorkerProcess } from '../../workers/worker-process';
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

/**
 * The configuration a test's worker process runs with: its task queue and namespace, every
 * registered provider's budget at `rate` (the providers polled are the adapters handed in), poll
 * groups only where `shards` gives them.
 */
function stackConfig(options: StackOptions, rate: number, shards: Partial<Record<ProviderName, number>>): Config {
  const config = loadConfig({ TEMPORAL_TASK_QUEUE: options.taskQueue, TEMPORAL_NAMESPACE: options.namespace ?? 'default' });
  const providers = registeredProviders().map((descriptor) => descriptor.name);
  return {
    ...config,
    requestsPerSecond: Object.fromEntries(providers.map((provider) => [provider, rate])) as Record<ProviderName, number>,
    pollGroups: Object.fromEntries(providers.map((provider) => [provider, shards[provider] ?? 0])) as Record<ProviderName, number>,
  };
}

/** Runs the real worker process (worker-process.ts: workflow queue, a poll queue per provider, any poll groups) while `body` runs. */
export async function withWorkers<T>(options: StackOptions, body: () => Promise<T>): Promise<T> {
  const groups = options.pollGroups;
  const shards = groups === undefined ? {} : (groups.shards ?? Object.fromEntries(Object.keys(options.providers).map((provider) => [provider, 1])));
  // The poll groups' members and request slots: a database of its own on the file, as a second worker process would open it.
  const groupDatabase = groups === undefined ? undefined : await openDatabase(`sqlite:${groups.databaseFile}`);
  let worker: WorkerProcess | undefined;
  try {
    worker = await startWorkerProcess(stackConfig(options, options.requestsPerSecond ?? 1_000, shards), {
      connection: options.connection,
      client: groups?.client,
      stores: { ledger: options.ledger, requestSlots: groupDatabase?.requestSlots, members: groupDatabase?.members },
      providers: options.providers,
      callbackSender: options.callbackSender,
      hooks: options.hooks,
      pushFallbackPollMs: options.pushFallbackPollMs,
      dataConverter: options.dataConverter,
      workflowBundle: options.workflowBundle ?? (await workflowBundle(options.dataConverter?.failureConverterPath)),
      pollGroups: groups && { onUnknownListed: groups.onUnknownListed, reconcile: groups.reconcile, startGroups: groups.startGroups },
    });
    return await body();
  } finally {
    await worker?.stop();
    if (groups !== undefined) await endGroups(groups.client, options.taskQueue, shards);
    await groupDatabase?.close();
    // What made the workers stop early, if anything.
    await worker?.done;
  }
}

/** The groups' workflows outlive the workers: end them so the next test's stack starts afresh. */
async function endGroups(client: Client, taskQueue: string, shards: Partial<Record<ProviderName, number>>): Promise<void> {
  for (const [provider, count] of Object.entries(shards) as [ProviderName, number][]) {
    for (let shard = 0; shard < count; shard += 1) {
      await client.workflow.getHandle(pollGroupWorkflowId(provider, shard, taskQueue)).terminate('test over').catch(() => undefined);
    }
  }
}

let counter = 0;
/** Unique per test so orders of different tests never meet. */
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}
