/**
 * A worker process's poll groups: the shared member table (the database's), the Temporal client that
 * reports changes to orders and starts groups, and how many groups each configured provider has here.
 * `start()` makes sure every group of this worker's providers runs (a group that does is left as it is)
 * and watches their loops (group-watchdog.ts): a killed worker's groups go to another within seconds.
 */
import type { Client } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import type { PollGroupDependencies } from '../activities';
import { temporalOrderReports } from '../activities/poll-groups/order-reports';
import { createReconciler } from '../activities/poll-groups/reconciliation';
import { trackerFromConfig } from '../client/order-tracker';
import type { Config } from '../common/config';
import type { Ledger } from '../storage/ledger/ledger';
import type { MemberStore } from '../storage/poll-group-members/member-store';
import type { ProviderName } from '../domain/types';
import { pollGroupWorkflowId } from '../domain/ids';
import { type GroupWatchdog, startGroupWatchdog } from './group-watchdog';

/** Reconciliation reads the list this often when no member is due (a sweep for members reads it anyway). */
const RECONCILE_EVERY_MS = 60_000;

export interface WorkerPollGroups {
  dependencies: PollGroupDependencies;
  /** Starts the groups of this worker's providers that do not run yet, and the watch over their loops. */
  start(): Promise<void>;
  stop(): void;
}

/** What a caller may set in place of configuration (the tests' worker stack plays some parts itself). */
export interface PollGroupOverrides {
  /** In place of reconciliation's (`<NAME>_RECONCILE`). */
  onUnknownListed?: PollGroupDependencies['onUnknownListed'];
  reconcile?: PollGroupDependencies['reconcile'];
  /** False: no group workflow is started, by start() or by an order (a test plays the group itself). */
  startGroups?: boolean;
}

export function openPollGroups(
  config: Config,
  client: Client,
  { ledger, members }: { ledger: Pick<Ledger, 'find'>; members: MemberStore },
  overrides: PollGroupOverrides = {},
): WorkerPollGroups {
  const started = temporalOrderReports(client, config.taskQueue);
  const reports = overrides.startGroups === false ? { ...started, ensureGroup: async () => undefined } : started;
  const shards: Partial<Record<ProviderName, number>> = {};
  for (const provider of config.configuredProviders) if (config.pollGroups[provider] > 0) shards[provider] = config.pollGroups[provider];
  const tracker = trackerFromConfig(config, client);
  const onUnknownListed =
    overrides.onUnknownListed ??
    (Object.keys(config.reconcileMaxAgeMs).length === 0
      ? undefined
      : createReconciler({
          maxAgeMs: config.reconcileMaxAgeMs,
          shards,
          recorded: async (provider, orderId) => (await ledger.find(provider, orderId)) !== undefined,
          start: (provider, orderId) => tracker.startUntracked(provider, orderId),
          log: Runtime.instance().logger,
        }));
  const reconcile =
    overrides.reconcile ??
    Object.fromEntries(Object.entries(config.reconcileMaxAgeMs).map(([provider, maxAgeMs]) => [provider, { everyMs: RECONCILE_EVERY_MS, maxAgeMs }]));
  const groups = (Object.entries(shards) as [ProviderName, number][]).flatMap(([provider, count]) =>
    Array.from({ length: count }, (_unused, shard) => ({ provider, shard, workflowId: pollGroupWorkflowId(provider, shard, config.taskQueue) })),
  );
  let watchdog: GroupWatchdog | undefined;
  return {
    dependencies: { members, reports, shards, onUnknownListed, reconcile },
    async start() {
      for (const { provider, shard } of groups) {
        await reports.ensureGroup(provider, shard).catch((error: unknown) =>
          // An order's registration or its watch starts it later.
          Runtime.instance().logger.warn('could not start a poll group', { provider, shard, error: String(error) }),
        );
      }
      if (overrides.startGroups !== false && groups.length > 0) {
        watchdog = startGroupWatchdog({ client, members, groups, ensureGroup: (provider, shard) => reports.ensureGroup(provider, shard), log: Runtime.instance().logger });
      }
    },
    stop() {
      watchdog?.stop();
    },
  };
}
