/** History size and poll schedule-to-start latency, read from the server after a run. */
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { HistoryFigures } from './contender';

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

/** Executions of a type still running: orders a saturated contender has not finished yet. */
export async function runningCount(client: Client, workflowType: string): Promise<number> {
  const { count } = await client.workflow.count(`WorkflowType = '${workflowType}' AND ExecutionStatus = 'Running'`);
  return count;
}
