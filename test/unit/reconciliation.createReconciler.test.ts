import { createReconciler } from '../../activities/poll-groups/reconciliation';
import { shardOf } from '../../domain/ids';
import type { ListedOrder } from '../../providers/provider';

const NOW = 1_796_000_000_000;
const HOUR = 3_600_000;

function listed(orderId: string, createdAt: number | null): ListedOrder {
  return { orderId, createdAt, complete: true, observation: { status: 'WAITING', phase: 'in_flight', recognised: true, rank: 1, nextWaitMs: 30_000, details: {} } };
}

function reconciler(recordedIds: string[], runningIds: string[], shards = 1) {
  const started: string[] = [];
  const run = createReconciler({
    maxAgeMs: { houdini: HOUR },
    shards: { houdini: shards },
    recorded: async (_provider, orderId) => recordedIds.includes(orderId),
    start: async (_provider, orderId) => {
      if (runningIds.includes(orderId)) return 'running';
      started.push(orderId);
      runningIds.push(orderId);
      return 'started';
    },
    log: { info: () => undefined, warn: () => undefined },
    now: () => NOW,
  });
  return { run, started };
}

describe('createReconciler', () => {
  it('starts the recent orders neither recorded nor running, once; never an old one or one without an age', async () => {
    const { run, started } = reconciler(['recorded'], ['running']);
    const orders = [listed('new', NOW - 60_000), listed('old', NOW - 2 * HOUR), listed('ageless', null), listed('recorded', NOW), listed('running', NOW)];
    await run('houdini', 0, orders);
    await run('houdini', 0, orders);
    expect(started).toEqual(['new']);
  });

  it('only for providers it is on for, and only from the group that owns the order', async () => {
    const { run, started } = reconciler([], [], 4);
    await run('magma', 0, [listed('m-1', NOW)]);
    const ids = Array.from({ length: 12 }, (_value, index) => `h-${index}`);
    await run('houdini', 2, ids.map((id) => listed(id, NOW)));
    expect(started).toEqual(ids.filter((id) => shardOf(id, 4) === 2));
  });
});
