/**
 * A worker process's poll groups: the shared member table, the Temporal client that reports changes
 * to orders and starts groups, and how many groups each configured provider has here. `start()`
 * makes sure every group of this worker's providers runs (a group that does is left as it is).
 */
import type { Client } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import type { PollGroupDependencies } from '../activities';
import { type MemberStore, openMemberStore } from '../activities/poll-groups/member-store';
import { temporalOrderReports } from '../activities/poll-groups/order-reports';
import type { Config } from '../common/config';
import type { ProviderName } from '../domain/types';

export interface WorkerPollGroups {
  dependencies: PollGroupDependencies;
  /** Starts the groups of this worker's providers that do not run yet. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function openPollGroups(config: Config, client: Client, extra: Pick<PollGroupDependencies, 'onUnknownListed'> = {}): Promise<WorkerPollGroups> {
  const members: MemberStore = await openMemberStore(config.databaseUrl);
  const reports = temporalOrderReports(client, config.taskQueue);
  const shards: Partial<Record<ProviderName, number>> = {};
  for (const provider of config.configuredProviders) if (config.pollGroups[provider] > 0) shards[provider] = config.pollGroups[provider];
  return {
    dependencies: { members, reports, shards, ...extra },
    async start() {
      for (const [provider, count] of Object.entries(shards) as [ProviderName, number][]) {
        for (let shard = 0; shard < count; shard += 1) {
          await reports.ensureGroup(provider, shard).catch((error: unknown) =>
            // An order's registration or its watch starts it later.
            Runtime.instance().logger.warn('could not start a poll group', { provider, shard, error: String(error) }),
          );
        }
      }
    },
    close: () => members.close(),
  };
}
