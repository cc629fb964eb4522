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

/** The task queue of a deployment that sets none (TEMPORAL_TASK_QUEUE). */
export const DEFAULT_TASK_QUEUE = 'order-tracking';

/**
 * A poll group: one provider's in-flight orders of one shard, polled in-process by one long
 * activity. Another task queue than the default (another deployment, a test) has its own groups.
 */
export function pollGroupWorkflowId(provider: ProviderName, shard: number, taskQueue: string = DEFAULT_TASK_QUEUE): string {
  return taskQueue === DEFAULT_TASK_QUEUE ? `poll-group:${provider}:${shard}` : `poll-group:${provider}:${shard}@${taskQueue}`;
}

/**
 * The group an order belongs to of `shards` groups: FNV-1a of the order id, so every process (and
 * workflow code) places an order in the same group.
 */
export function shardOf(orderId: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < orderId.length; index += 1) {
    hash ^= orderId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return shards <= 1 ? 0 : hash % shards;
}
