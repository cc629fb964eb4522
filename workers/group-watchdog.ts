/**
 * A worker's watch over the poll groups of its providers, so that a killed worker's groups are back
 * within seconds while their heartbeats stay rare (one billed action each): every few seconds it
 * reads each group's loop row (poll_group_loops, written by the loop every 5 s). A loop silent for
 * LOOP_SILENT_AFTER_MS, or whose process is gone from this host, whose activity attempt the server
 * still holds as started (its worker killed, or hung) is failed by id, and the server's retry hands
 * it to a live worker at once; a group whose workflow runs no more is started again. Nothing is
 * asked of Temporal while the loops write.
 */
import { ApplicationFailure } from '@temporalio/common';
import { type Client, type WorkflowExecutionDescription, WorkflowNotFoundError } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { hostname } from 'node:os';
import { LOOP_SILENT_AFTER_MS, ownerProcess } from '../activities/poll-groups/loop-ownership';
import type { GroupLog } from '../activities/poll-groups/poll-group-parts';
import type { ProviderName } from '../domain/types';
import type { MemberStore } from '../storage/poll-group-members/member-store';

/** How often each group's row is read. */
const CHECK_EVERY_MS = 5_000;
/** The server's state of an attempt under way (PENDING_ACTIVITY_STATE_STARTED). */
const ATTEMPT_STARTED = 2;

export interface WatchedGroup {
  provider: ProviderName;
  shard: number;
  workflowId: string;
}

export interface GroupWatchdogParts {
  client: Client;
  members: Pick<MemberStore, 'findLoop'>;
  groups: readonly WatchedGroup[];
  ensureGroup(provider: ProviderName, shard: number): Promise<void>;
  log: GroupLog;
  checkEveryMs?: number;
  silentAfterMs?: number;
  now?: () => number;
}

export interface GroupWatchdog {
  /** One look at every group (the timer's; exposed for tests). */
  check(): Promise<void>;
  stop(): void;
}

export function startGroupWatchdog(parts: GroupWatchdogParts): GroupWatchdog {
  const now = parts.now ?? Date.now;
  const silentAfterMs = parts.silentAfterMs ?? LOOP_SILENT_AFTER_MS;
  let checking: Promise<void> | undefined;

  async function checkGroup(group: WatchedGroup): Promise<void> {
    const row = await parts.members.findLoop(group.workflowId);
    // Never run yet (a worker's start or an order's join starts it).
    if (row === undefined) return;
    const silentMs = now() - row.aliveMs;
    const gone = processGone(row.owner);
    if (silentMs <= silentAfterMs && !gone) return;
    let description: WorkflowExecutionDescription;
    try {
      description = await parts.client.workflow.getHandle(group.workflowId).describe();
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      return parts.ensureGroup(group.provider, group.shard);
    }
    if (description.status.name !== 'RUNNING') return parts.ensureGroup(group.provider, group.shard);
    const attempt = description.raw.pendingActivities?.find((activity) => activity.activityType?.name === 'runPollGroup');
    // Waiting for a worker or for its retry: the server hands it out without help.
    if (attempt?.state !== ATTEMPT_STARTED || typeof attempt.activityId !== 'string') return;
    // A newer attempt than the row's that has not claimed it yet (it does so first thing).
    const rowNamesIt = row.owner.startsWith(`${description.runId}/${attempt.activityId}#${attempt.attempt ?? 1} `);
    if (!rowNamesIt && now() - tsToMs(attempt.lastStartedTime) <= silentAfterMs) return;
    const why = gone ? 'its process is gone' : `it was silent for ${Math.round(silentMs / 1000)} s`;
    await parts.client.activity.fail(
      { workflowId: group.workflowId, runId: description.runId, activityId: attempt.activityId },
      ApplicationFailure.retryable(`the group's loop stopped (${why}; attempt ${attempt.attempt ?? '?'} on ${attempt.lastWorkerIdentity ?? '?'}): a new attempt takes it`, 'GroupLoopSilent'),
    );
    parts.log.warn("poll group's loop stopped; its activity goes to a new attempt", { workflowId: group.workflowId, why, worker: attempt.lastWorkerIdentity });
  }

  async function checkAll(): Promise<void> {
    for (const group of parts.groups) {
      await checkGroup(group).catch((error: unknown) => parts.log.warn('could not check a poll group', { workflowId: group.workflowId, error: String(error) }));
    }
  }

  const check = () => (checking ??= checkAll().finally(() => (checking = undefined)));
  // At once: a worker restarted after a crash takes its dead predecessor's groups as it comes up.
  void check();
  const timer = setInterval(() => void check(), parts.checkEveryMs ?? CHECK_EVERY_MS);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}

/** The loop's owner ran on this host in a process that exists no more (a worker killed and restarted here). */
function processGone(owner: string): boolean {
  const owned = ownerProcess(owner);
  if (owned === undefined || owned.host !== hostname() || owned.pid === process.pid) return false;
  try {
    process.kill(owned.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
