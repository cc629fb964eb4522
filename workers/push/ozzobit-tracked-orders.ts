/**
 * Which OZZOBiT orders the socket.io bridge subscribes to: those with a running `trackOrder`
 * workflow, found with one visibility query (`OrderProvider` is set when the workflow starts).
 * Visibility may lag a new workflow by a moment; its first poll covers that moment.
 */
import type { WorkflowClient } from '@temporalio/client';
import { orderWorkflowId } from '../../domain/ids';
import { ORDER_PROVIDER } from '../../workflows/search-attributes';

export type TrackedOrders = () => Promise<ReadonlySet<string>>;

/** Just the part of a Temporal client the bridge uses. */
export interface VisibilityClient {
  workflow: Pick<WorkflowClient, 'list'>;
}

const OZZOBIT_WORKFLOW_PREFIX = orderWorkflowId('ozzobit', '');
export const RUNNING_OZZOBIT_ORDERS = `WorkflowType = 'trackOrder' AND ${ORDER_PROVIDER.name} = 'ozzobit' AND ExecutionStatus = 'Running'`;

export function runningOzzobitOrders(client: VisibilityClient): TrackedOrders {
  return async () => {
    const running = new Set<string>();
    for await (const execution of client.workflow.list({ query: RUNNING_OZZOBIT_ORDERS })) {
      if (execution.workflowId.startsWith(OZZOBIT_WORKFLOW_PREFIX)) running.add(execution.workflowId.slice(OZZOBIT_WORKFLOW_PREFIX.length));
    }
    return running;
  };
}

/** What changes between the orders subscribed now and the ones tracked now. */
export function planSubscriptions(
  subscribed: ReadonlySet<string>,
  tracked: ReadonlySet<string>,
): { subscribe: string[]; unsubscribe: string[] } {
  return {
    subscribe: [...tracked].filter((orderId) => !subscribed.has(orderId)),
    unsubscribe: [...subscribed].filter((orderId) => !tracked.has(orderId)),
  };
}
