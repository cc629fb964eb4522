/**
 * Which of a provider's orders are being tracked now: those with a running `trackOrder` workflow,
 * found with one visibility query (`OrderProvider` is set when the workflow starts) rather than a
 * `describe` per order. Visibility may lag a new workflow by a moment; its first poll covers that
 * moment. The bridges use it to subscribe orders (OZZOBiT) or to pick what a catch-up pushes (Houdini).
 */
import type { WorkflowClient } from '@temporalio/client';
import { orderWorkflowId } from '../../domain/ids';
import type { ProviderName } from '../../domain/types';
import type { TrackedOrders } from '../../providers/push/push-channel';
import { ORDER_PROVIDER } from '../../workflows/search-attributes';

/** Just the part of a Temporal client the query uses. */
export interface VisibilityClient {
  workflow: Pick<WorkflowClient, 'list'>;
}

export function runningOrdersQuery(provider: ProviderName): string {
  return `WorkflowType = 'trackOrder' AND ${ORDER_PROVIDER.name} = '${provider}' AND ExecutionStatus = 'Running'`;
}

export function runningOrders(client: VisibilityClient, provider: ProviderName): TrackedOrders {
  const prefix = orderWorkflowId(provider, '');
  const query = runningOrdersQuery(provider);
  return async () => {
    const running = new Set<string>();
    for await (const execution of client.workflow.list({ query })) {
      if (execution.workflowId.startsWith(prefix)) running.add(execution.workflowId.slice(prefix.length));
    }
    return running;
  };
}
