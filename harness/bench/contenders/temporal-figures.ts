/** History size and poll schedule-to-start latency, read from the server after a run. */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { HistoryFigures, PushPath } from './contender';

export async function historyFigures(client: Client, workflowType: string): Promise<HistoryFigures> {
  const figures: HistoryFigures = { executions: 0, events: 0, maxRunEvents: 0 };
  for await (const execution of client.workflow.list({ query: `WorkflowType = '${workflowType}'` })) {
    figures.executions += 1;
    const length = execution.historyLength ?? 0;
    figures.events += length;
    figures.maxRunEvents = Math.max(figures.maxRunEvents, length);
  }
  return figures;
}

function millis(time: temporal.api.history.v1.IHistoryEvent['eventTime']): number {
  return Number(time?.seconds ?? 0) * 1000 + Math.round((time?.nanos ?? 0) / 1e6);
}

/** Scheduled → started of every activity in the latest run of a sample of workflows. */
export async function scheduleToStartSample(client: Client, workflowIds: readonly string[], sampleSize = 40): Promise<number[]> {
  const step = Math.max(1, Math.floor(workflowIds.length / sampleSize));
  const latencies: number[] = [];
  for (let index = 0; index < workflowIds.length; index += step) {
    try {
      const history = await client.workflow.getHandle(workflowIds[index] as string).fetchHistory();
      const scheduled = new Map<number, number>();
      for (const event of history.events ?? []) {
        if (event.activityTaskScheduledEventAttributes) scheduled.set(Number(event.eventId), millis(event.eventTime));
        const started = event.activityTaskStartedEventAttributes;
        if (started) {
          const at = scheduled.get(Number(started.scheduledEventId));
          // Retried attempts (infrequent polling) start long after scheduling by design: count the first only.
          if (at !== undefined && (started.attempt ?? 1) <= 1) latencies.push(millis(event.eventTime) - at);
        }
      }
    } catch {
      // a workflow that never started (lost) has no history: nothing to sample
    }
  }
  return latencies;
}

/**
 * For each status's first push into the latest run of each workflow: arrival at the ingress (the
 * signal's `receivedAt`) → the signal in history → the next workflow task started, which is when the
 * order learns it.
 */
export async function pushPathSample(client: Client, workflowIds: readonly string[], signalName: string): Promise<PushPath> {
  const path: PushPath = { toSignalMs: [], toWorkflowTaskMs: [] };
  for (const workflowId of workflowIds) {
    try {
      addPushPath(path, (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [], signalName);
    } catch {
      // never started (lost): nothing to sample
    }
  }
  return path;
}

/** One history's part of pushPathSample. Pushes that started the workflow (signal-with-start) are left out. */
export function addPushPath(path: PushPath, events: readonly temporal.api.history.v1.IHistoryEvent[], signalName: string): void {
  const firstTaskStarted = events.findIndex((event) => event.workflowTaskStartedEventAttributes);
  const statuses = new Set<string>();
  events.forEach((event, index) => {
    const signal = event.workflowExecutionSignaledEventAttributes;
    if (signal?.signalName !== signalName || firstTaskStarted < 0 || index < firstTaskStarted) return;
    const payload = signal.input?.payloads?.[0];
    const pushed = payload ? (defaultPayloadConverter.fromPayload(payload as never) as { status?: unknown; receivedAt?: unknown } | null) : null;
    if (typeof pushed?.status !== 'string' || typeof pushed.receivedAt !== 'number' || statuses.has(pushed.status)) return;
    statuses.add(pushed.status);
    path.toSignalMs.push(millis(event.eventTime) - pushed.receivedAt);
    const taskStarted = events.slice(index + 1).find((later) => later.workflowTaskStartedEventAttributes);
    if (taskStarted) path.toWorkflowTaskMs.push(millis(taskStarted.eventTime) - millis(event.eventTime));
  });
}

/** Executions of a type still running: orders a saturated contender has not finished yet. */
export async function runningCount(client: Client, workflowType: string): Promise<number> {
  const { count } = await client.workflow.count(`WorkflowType = '${workflowType}' AND ExecutionStatus = 'Running'`);
  return count;
}
