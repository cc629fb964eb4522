/**
 * A worker process, assembled once: the stores (openDatabase), the Temporal connection and client,
 * the activities from configuration (activity-dependencies.ts), the workers of createWorkers, the
 * poll groups and the order watch, started in that order and closed in the reverse. `order-tracker
 * worker` (run-worker.ts), `npm start` (dev.ts) and the tests' worker stack (test/helpers/worker-stack.ts)
 * all start theirs here; what differs between them is configuration, and the parts a caller hands in.
 */
import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { type NativeConnection, Runtime, type WorkflowBundleOption } from '@temporalio/worker';
import type { FulfilmentHooks } from '../activities';
import type { PushChannelReader } from '../activities/push-fallback';
import type { CallbackSender } from '../callbacks/callback-sender';
import { connectClient } from '../client/connect';
import type { Config } from '../common/config';
import { dataConverterFor } from '../common/encryption-codec';
import type { ProviderName } from '../domain/types';
import type { ProviderRegistry } from '../providers/provider';
import type { Ledger } from '../storage/ledger/ledger';
import { openDatabase } from '../storage/open-database';
import type { MemberStore } from '../storage/poll-group-members/member-store';
import type { RequestSlots } from '../storage/request-slots/request-slots';
import { activitiesFromConfig } from './activity-dependencies';
import { connectWorker } from './connect-worker';
import { startOrderWatch } from './order-watch';
import { type PollGroupOverrides, openPollGroups } from './poll-groups';
import { workerTracing } from './tracing-interceptors';
import { createWorkers, runWorkers } from './worker';
import { workflowBundleFrom } from './workflow-bundle';

/** The stores a worker uses; a database (openDatabase) has them all. Only the ledger is required. */
export interface WorkerStores {
  ledger: Ledger;
  requestSlots?: RequestSlots;
  pushChannels?: PushChannelReader;
  members?: MemberStore;
}

/**
 * Parts a caller hands in instead of the ones configuration gives. Parts handed in stay the
 * caller's: the process never closes them.
 */
export interface WorkerProcessParts {
  /** The connection the workers poll on; by default one from config (connectWorker). */
  connection?: NativeConnection;
  /**
   * The client of the poll groups and the order watch; by default one from config. A caller that
   * hands in its connection and no client runs without them (and must configure no poll group).
   */
  client?: Client;
  /** The stores; by default openDatabase(config.databaseUrl). */
  stores?: WorkerStores;
  /** Provider adapters in place of the configured ones (config.providers); their names are the providers polled here. */
  providers?: ProviderRegistry;
  /** In place of the one FULFILLMENT_WEBHOOK_URL gives. */
  callbackSender?: CallbackSender;
  /** Code run once per outcome (docs/contract.md, "Hooks"). */
  hooks?: FulfilmentHooks;
  /** In place of PUSH_FALLBACK_POLL's, for the providers named. */
  pushFallbackPollMs?: Partial<Record<ProviderName, number>>;
  /** In place of ORDER_TRACKER_ENCRYPTION_KEY's. */
  dataConverter?: DataConverter;
  /** In place of WORKFLOW_BUNDLE's (or bundling at start). */
  workflowBundle?: WorkflowBundleOption;
  pollGroups?: PollGroupOverrides;
}

export interface WorkerProcess {
  /** The stores the workers use (the ingress beside them in `npm start` shares them). */
  stores: WorkerStores;
  client: Client | undefined;
  /** Resolves when the workers stop (the SDK's runtime stops them on SIGINT/SIGTERM, or stop()); rejects with what stopped them. */
  done: Promise<void>;
  /** Shuts the workers down, waits for them, and closes what the process opened, in reverse order. A second call waits for the first. */
  stop(): Promise<void>;
}

/** Starts the workers of one process from configuration (and any parts handed in); they run until stop() or a signal. */
export async function startWorkerProcess(config: Config, parts: WorkerProcessParts = {}): Promise<WorkerProcess> {
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close();
  };
  try {
    const workflowBundle =
      parts.workflowBundle ?? workflowBundleFrom(config.environment.WORKFLOW_BUNDLE, config.environment.ORDER_TRACKER_ENCRYPTION_KEY !== undefined, workerTracing() !== undefined);
    const connection = parts.connection ?? (await connectWorker(config));
    if (parts.connection === undefined) closers.push(() => connection.close());
    const database = parts.stores === undefined ? await openDatabase(config.databaseUrl) : undefined;
    if (database !== undefined) closers.push(() => database.close());
    const stores: WorkerStores = parts.stores ?? (database as WorkerStores);
    const client = parts.client ?? (parts.connection === undefined ? await connectClient(config) : undefined);
    if (client !== undefined && parts.client === undefined) closers.push(() => client.connection.close());

    const providers = parts.providers === undefined ? config.configuredProviders : (Object.keys(parts.providers) as ProviderName[]);
    const members = stores.members;
    const pollGroups =
      client === undefined || members === undefined
        ? undefined
        : openPollGroups({ ...config, configuredProviders: providers }, client, { ledger: stores.ledger, members }, parts.pollGroups);
    if (pollGroups === undefined && providers.some((provider) => config.pollGroups[provider] > 0)) {
      throw new Error('poll groups are configured, but the worker process was handed no client or no members table to run them with');
    }
    if (providers.length === 0) Runtime.instance().logger.warn('no provider is configured here; polls wait for a worker that has one');
    const workers = await createWorkers({
      connection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      activities: activitiesFromConfig(config, stores.ledger, {
        providers: parts.providers,
        callbackSender: parts.callbackSender,
        hooks: parts.hooks,
        pushFallbackPollMs: parts.pushFallbackPollMs,
        pushChannels: stores.pushChannels,
        requestSlots: stores.requestSlots,
        pollGroups: pollGroups?.dependencies,
      }),
      providers,
      requestsPerSecond: config.requestsPerSecond,
      dataConverter: parts.dataConverter ?? dataConverterFor(config.environment.ORDER_TRACKER_ENCRYPTION_KEY),
      workflowBundle,
    });
    Runtime.instance().logger.info('order-tracker worker running', { taskQueue: config.taskQueue, providers });
    const done = runWorkers(workers);
    done.catch(() => undefined);
    // The orders in flight and those past their max wait, counted through visibility for the alerts.
    if (client !== undefined) {
      const runtime = Runtime.instance();
      const watch = startOrderWatch(client, runtime.metricMeter, (message, fields) => runtime.logger.warn(message, fields));
      closers.push(async () => watch.stop());
    }
    // Closed after the workers have stopped: every activity is done with them.
    closers.push(async () => {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      await done.catch(() => undefined);
    });
    await pollGroups?.start();
    if (pollGroups !== undefined) closers.push(async () => pollGroups.stop());
    let stopping: Promise<void> | undefined;
    return {
      stores,
      client,
      done,
      stop: () => (stopping ??= closeAll()),
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
