import { accountRequests } from '../../harness/bench/requests';
import type { BenchOrder } from '../../harness/workload/corpus';
import type { RequestLogEntry } from '../../sandbox/request-log';

const order = (provider: BenchOrder['provider'], key: string): BenchOrder => ({ provider, key, steps: [{ status: 'A' }, { status: 'B' }], startOffsetMs: 0, expected: 'succeeded' });
const get = (at: number, orderId: string): RequestLogEntry => ({ at, orderId, operation: 'get_order', httpStatus: 200 });
const page = (at: number, listed: string[]): RequestLogEntry => ({ at, operation: 'list_orders', httpStatus: 200, listed });

test('a list page is shared by the orders of its provider in flight when it was asked; looks count the in-flight orders it showed', () => {
  const orders = [order('houdini', 'o0'), order('houdini', 'o1'), order('ozzobit', 'o2')];
  const ids = ['h0', 'h1', 'z2'];
  // h0 in flight 0–100, h1 50–300, z2 0–.
  const spans = [{ createdAt: 0, finalAt: 100 }, { createdAt: 50, finalAt: 300 }, { createdAt: 0 }];
  const account = accountRequests(
    {
      houdini: [get(1, 'h0'), page(60, ['h1', 'h0', 'someone-else']), page(200, ['h1', 'h0']), page(400, ['h1']), get(2, 'elsewhere')],
      ozzobit: [get(5, 'z2'), get(10, 'z2')],
    },
    orders,
    ids,
    spans,
  );
  expect(account.requests).toBe(1 + 3 + 2);
  expect(account.listPages).toBe(3);
  // At 60 both are in flight, at 200 h1 only, at 400 none: h1 ended last.
  expect(account.perOrder).toEqual([1 + 0.5, 0.5 + 1 + 1, 2]);
  expect(account.perOrder.reduce((sum, count) => sum + count, 0)).toBe(account.requests);
  // Looks: 2 at 60, 1 at 200 (h0 had ended), none at 400.
  expect(account.byProvider.houdini).toEqual({ requests: 4, pages: 3, looks: 3 });
  expect(account.polls).toBe(1 + 3 + 2);
  expect(account.unattributedPages).toBe(0);
});
