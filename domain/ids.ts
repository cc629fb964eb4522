import type { ProviderName } from './types';

/** The one place that names an order's workflow: starting it twice finds the running one. */
export function orderWorkflowId(provider: ProviderName, orderId: string): string {
  return `order:${provider}:${orderId}`;
}

/** The ledger key of an order. */
export function orderKey(provider: ProviderName, orderId: string): string {
  return `${provider}:${orderId}`;
}

/**
 * Polls run on a task queue of their own per provider, so a server-side rate limit on that queue
 * (the worker's maxTaskQueueActivitiesPerSecond) is the provider-wide request budget.
 */
export function pollTaskQueue(taskQueue: string, provider: ProviderName): string {
  return `${taskQueue}-poll-${provider}`;
}
