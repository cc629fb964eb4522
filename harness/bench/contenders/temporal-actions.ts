/**
 * Temporal actions of a run, read from the server after it: every run of every order workflow and
 * of every poll group (histories, and the pending activities of those still running), plus the
 * heartbeats and activity answers the server counted (its metrics, temporal-server.ts).
 */
import type { Client } from '@temporalio/client';
import { DEFAULT_SETTINGS, resolveSettings, type TrackingSettings } from '../../../workflows/settings';
import { type PendingAttempt, type RunActions, type WatchSchedule, addActions, countRunActions, emptyActions, startInput } from '../action-count';

/** What the server's own counters say (absent when the server is not the bench's dev server). */
export interface ServerCounts {
  /** RecordActivityTaskHeartbeat(ById) requests: heartbeats that reached the server. */
  heartbeats: number;
  /** RespondActivityTask{Completed,Failed,Canceled}(ById): attempts a worker answered. */
  activityAnswers: number;
}

export interface ActionFigures {
  /** Per order workflow id, all its runs. */
  orders: Record<string, RunActions>;
  /** Per provider, its poll-group workflows' runs together (shared by their members). */
  groups: Record<string, { actions: RunActions; workflows: number }>;
  server?: ServerCounts;
}

/** The order's settings as its run has them, wall ms (the sandbox scales the group check, not the silence). */
function scheduleOf(input: Record<string, unknown> | undefined): WatchSchedule {
  const settings: TrackingSettings = resolveSettings((input?.settings as Partial<TrackingSettings> | undefined) ?? DEFAULT_SETTINGS);
  return { checkEveryMs: settings.groupCheckMs };
}

async function pendingAttempts(client: Client, workflowId: string, runId: string): Promise<PendingAttempt[]> {
  const description = await client.workflow.getHandle(workflowId, runId).describe();
  return (description.raw.pendingActivities ?? []).map((activity) => ({
    activityType: activity.activityType?.name ?? 'unknown',
    attempt: activity.attempt ?? 1,
    // PENDING_ACTIVITY_STATE_STARTED = 2 (an attempt under way); SCHEDULED = waiting for its next one.
    running: Number(activity.state) === 2,
  }));
}

export async function collectActions(client: Client, server?: () => Promise<ServerCounts | undefined>): Promise<ActionFigures> {
  const figures: ActionFigures = { orders: {}, groups: {} };
  const groupIds = new Set<string>();
  for await (const execution of client.workflow.list({ query: `WorkflowType = 'trackOrder' OR WorkflowType = 'pollGroup'` })) {
    const handle = client.workflow.getHandle(execution.workflowId, execution.runId);
    const events = (await handle.fetchHistory()).events ?? [];
    const pending = execution.status.name === 'RUNNING' ? await pendingAttempts(client, execution.workflowId, execution.runId).catch(() => []) : [];
    const run = countRunActions(events, scheduleOf(startInput(events)), pending);
    if (execution.type === 'pollGroup') {
      // poll-group:<provider>:<shard>[@<task queue>]
      const provider = execution.workflowId.split(':')[1] ?? 'unknown';
      const group = (figures.groups[provider] ??= { actions: emptyActions(), workflows: 0 });
      addActions(group.actions, run);
      if (!groupIds.has(execution.workflowId)) group.workflows += 1;
      groupIds.add(execution.workflowId);
    } else {
      figures.orders[execution.workflowId] = addActions(figures.orders[execution.workflowId] ?? emptyActions(), run);
    }
  }
  const counted = await server?.().catch(() => undefined);
  if (counted !== undefined) figures.server = counted;
  return figures;
}

/**
 * Sums of the server's `service_requests` counter for some operations, from its Prometheus text:
 * the frontend's, where the clients' calls arrive (the history service counts them again).
 */
export function sumServiceRequests(metrics: string, operations: readonly string[]): number {
  let total = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith('service_requests{')) continue;
    const service = /service_name="([^"]+)"/.exec(line)?.[1];
    if (service !== undefined && service !== 'frontend') continue;
    const operation = /operation="([^"]+)"/.exec(line)?.[1];
    if (operation === undefined || !operations.includes(operation)) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return total;
}

export const HEARTBEAT_OPERATIONS = ['RecordActivityTaskHeartbeat', 'RecordActivityTaskHeartbeatById'] as const;
export const ACTIVITY_ANSWER_OPERATIONS = [
  'RespondActivityTaskCompleted',
  'RespondActivityTaskCompletedById',
  'RespondActivityTaskFailed',
  'RespondActivityTaskFailedById',
  'RespondActivityTaskCanceled',
  'RespondActivityTaskCanceledById',
] as const;
