/**
 * How a poll group reaches orders and its own workflow, through the Temporal client of the worker:
 * a change goes to the order as a `statusObserved` signal (one signal per change, never per poll),
 * and a group that should run is started if it does not (a member's registration, a worker's start,
 * an order's watch that found its group silent).
 */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { withOrderSpan } from '../../common/tracing';
import { orderWorkflowId, pollGroupWorkflowId } from '../../domain/ids';
import type { GroupReport, ProviderName } from '../../domain/types';

export interface OrderReports {
  /** `closed` when the order's workflow runs no more (ended, terminated): it leaves its group. */
  report(provider: ProviderName, orderId: string, report: GroupReport): Promise<'delivered' | 'closed'>;
  /** Starts the group's workflow unless it runs (idempotent by its workflow id). */
  ensureGroup(provider: ProviderName, shard: number): Promise<void>;
  /** Whether this run of a group's workflow still runs: a terminated group's loop stops (no heartbeat needed). */
  groupRuns?(workflowId: string, runId: string): Promise<boolean>;
}

/** A group was started or found running lately: a burst of registrations asks the server once. */
const ENSURED_FOR_MS = 30_000;

export interface PollGroupInput {
  provider: ProviderName;
  shard: number;
}

export function temporalOrderReports(client: Client, taskQueue: string, now: () => number = Date.now): OrderReports {
  const ensured = new Map<string, number>();
  return {
    async report(provider, orderId, report) {
      // A span of the order's trace (when the worker traces): the order's signal handling is its child.
      const attributes = { 'order.status': report.observation?.status ?? '', 'order.report.source': report.source };
      return withOrderSpan('order.report', { provider, orderId }, attributes, async () => {
        try {
          await client.workflow.getHandle(orderWorkflowId(provider, orderId)).signal('statusObserved', report);
          return 'delivered' as const;
        } catch (error) {
          if (error instanceof WorkflowNotFoundError) return 'closed' as const;
          throw error;
        }
      });
    },
    async ensureGroup(provider, shard) {
      const workflowId = pollGroupWorkflowId(provider, shard, taskQueue);
      const last = ensured.get(workflowId);
      if (last !== undefined && now() - last < ENSURED_FOR_MS) return;
      const input: PollGroupInput = { provider, shard };
      await client.workflow.start('pollGroup', {
        workflowId,
        taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        staticSummary: `${provider} poll group ${shard}`,
        staticDetails: `Polls the in-flight ${provider} orders of group ${shard} in one long activity and signals each order only when it changes.`,
      });
      ensured.set(workflowId, now());
    },
    async groupRuns(workflowId, runId) {
      try {
        return (await client.workflow.getHandle(workflowId, runId).describe()).status.name === 'RUNNING';
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return false;
        throw error;
      }
    },
  };
}
