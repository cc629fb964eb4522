/**
 * pollGroup: the workflow that owns one poll group (`poll-group:<provider>:<shard>`), visible in the
 * Temporal UI beside the orders. It runs the group's long activity, `runPollGroup`, on the provider's
 * poll queue (so only workers configured for the provider take it). A worker killed while it polls
 * loses its group for about 20 s: another worker's watchdog finds the loop's row silent and fails
 * the attempt, the server hands the activity to a live worker, which reads the members from the
 * shared table and goes on (a heartbeat every 10 minutes, with a long timeout, is the server's own
 * backstop). Each activity ends after an hour so the group picks up new workers' code; the workflow
 * continues as new when its history grows. A group never ends by itself; a terminated one's loop
 * stops within 30 s and a worker's watchdog starts the group again.
 */
import { continueAsNew, proxyActivities, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { Activities, GroupProgress } from '../activities';
import { pollTaskQueue } from '../domain/ids';
import type { ProviderName } from '../domain/types';

export interface PollGroupInput {
  provider: ProviderName;
  shard: number;
}

/**
 * The server's own backstop: a worker's watchdog hands a dead loop's activity to a new attempt within
 * about 20 s (workers/group-watchdog.ts), long before this; the loop heartbeats every 10 minutes.
 */
export const POLL_GROUP_HEARTBEAT_TIMEOUT_MS = 30 * 60_000;
/** Each activity ends after this; its workflow then runs the next (or continues as new). */
const ACTIVITY_RUN_MS = 60 * 60_000;
/** About 6 events an activity: the workflow continues as new long before its history is big. */
const ACTIVITIES_PER_RUN = 100;

export async function pollGroup(input: PollGroupInput): Promise<void> {
  const { provider, shard } = input;
  const group = proxyActivities<Activities>({
    taskQueue: pollTaskQueue(workflowInfo().taskQueue, provider),
    heartbeatTimeout: POLL_GROUP_HEARTBEAT_TIMEOUT_MS,
    startToCloseTimeout: ACTIVITY_RUN_MS + 10 * 60_000,
    // A crash, a worker's shutdown, a database outage: back on a worker within seconds, for ever.
    retry: { initialInterval: 1_000, backoffCoefficient: 2, maximumInterval: 30_000 },
    // Its requests are paced by the provider's budget inside the activity; the task must not wait for a token.
    allowEagerDispatch: false,
    summary: `poll ${provider} group ${shard}: every member at its cadence, a signal per change`,
  });
  setCurrentDetails(`Polls the in-flight **${provider}** orders of group ${shard}; an order hears from it only when it changes.`);
  for (let activities = 0; activities < ACTIVITIES_PER_RUN && !workflowInfo().continueAsNewSuggested; activities += 1) {
    const progress: GroupProgress = await group.runPollGroup({ provider, shard, runForMs: ACTIVITY_RUN_MS });
    setCurrentDetails(
      `Polls the in-flight **${provider}** orders of group ${shard}.  \nLast hour: ${progress.members} members, ${progress.polls} polls, ${progress.pages} list pages, ${progress.reports} changes reported.`,
    );
  }
  await continueAsNew<typeof pollGroup>(input);
}
