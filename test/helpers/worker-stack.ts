import type { DataConverter } from '@temporalio/common';
import { bundleWorkflowCode, type NativeConnection, type WorkflowBundleOption, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActivities, type FulfilmentHooks } from '../../activities';
import type { CallbackSender } from '../../callbacks/callback-sender';
import type { Ledger } from '../../ledger/ledger';
import { openSqliteLedger } from '../../ledger/sqlite-ledger';
import { createMagmaAdapter } from '../../providers/magma/magma-client';
import type { ProviderRegistry } from '../../providers/provider';
import { createWorkers, runWorkers } from '../../workers/worker';
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

/** A fresh SQLite ledger file in a temporary folder: real SQLite, nothing shared between tests. */
export function temporaryLedger(): { ledger: Ledger; file: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'order-tracker-ledger-')), 'ledger.sqlite');
  return { ledger: openSqliteLedger(file), file };
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
}

/** Runs the real workers (workflow queue + one poll queue per provider) while `body` runs. */
export async function withWorkers<T>(options: StackOptions, body: () => Promise<T>): Promise<T> {
  const providerNames = Object.keys(options.providers) as ProviderName[];
  const rate = options.requestsPerSecond ?? 1_000;
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
    }),
    providers: providerNames,
    requestsPerSecond: { magma: rate, miraclecash: rate, ozzobit: rate, houdini: rate },
    workflowBundle: options.workflowBundle ?? (await workflowBundle(options.dataConverter?.failureConverterPath)),
    dataConverter: options.dataConverter,
  });
  const running = runWorkers(workers);
  try {
    return await body();
  } finally {
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
  }
}

let counter = 0;
/** Unique per test so orders of different tests never meet. */
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}
