import { orderKey, orderWorkflowId, pollTaskQueue } from '../../domain/ids';
import type { ProviderName } from '../../domain/types';

describe('workflow ids', () => {
  it.each([
    ['magma', 'ec562479-a4b8-44f4-95b4-150b310832de', 'order:magma:ec562479-a4b8-44f4-95b4-150b310832de', 'magma:ec562479-a4b8-44f4-95b4-150b310832de'],
    ['houdini', 'a:b', 'order:houdini:a:b', 'houdini:a:b'],
    ['ozzobit', 'X.1_2-3', 'order:ozzobit:X.1_2-3', 'ozzobit:X.1_2-3'],
  ] as [ProviderName, string, string, string][])('%s %s', (provider, orderId, workflowId, key) => {
    expect(orderWorkflowId(provider, orderId)).toBe(workflowId);
    expect(orderKey(provider, orderId)).toBe(key);
  });

  it.each([
    ['order-tracking', 'magma', 'order-tracking-poll-magma'],
    ['orders-v2', 'miraclecash', 'orders-v2-poll-miraclecash'],
  ] as [string, ProviderName, string][])('poll queue of %s for %s', (taskQueue, provider, expected) => {
    expect(pollTaskQueue(taskQueue, provider)).toBe(expected);
  });
});
