/** The queue counts its tasks, so a bridge can refuse a push past MAX_IN_FLIGHT_PUSHES instead of growing without bound. */
import { OrderQueue } from '../../providers/push/order-queue';
import { MAX_IN_FLIGHT_PUSHES } from '../../providers/push/push-channel';

test('size counts queued and running tasks over all keys, and returns to 0 when they end', async () => {
  const queue = new OrderQueue();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const order: string[] = [];
  void queue.run('a', async () => {
    await gate;
    order.push('a1');
  });
  void queue.run('a', async () => void order.push('a2'));
  void queue.run('b', async () => {
    throw new Error('failed push');
  });
  expect(queue.size).toBe(3);
  release();
  await queue.drained();
  expect(queue.size).toBe(0);
  expect(order).toEqual(['a1', 'a2']);
});

test('the bound is a thousand pushes', () => {
  expect(MAX_IN_FLIGHT_PUSHES).toBe(1_000);
});
