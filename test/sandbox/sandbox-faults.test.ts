import { FaultBoard } from '../../sandbox/faults';
import { RequestLog } from '../../sandbox/request-log';

/** The fault kinds `take` returns for each (orderId) request in turn; '-' when none. */
function kindsTaken(board: FaultBoard, orderIds: (string | undefined)[]): string[] {
  return orderIds.map((orderId) => board.take(orderId)?.kind ?? '-');
}

describe('FaultBoard', () => {
  it('uses up a counted fault, then lets requests through', () => {
    const board = new FaultBoard();
    board.set({ kind: 'server_error', count: 2 });
    expect(kindsTaken(board, ['a', undefined, 'a'])).toEqual(['server_error', 'server_error', '-']);
  });

  it('keeps a fault without count until cleared', () => {
    const board = new FaultBoard();
    board.set({ kind: 'reset' });
    expect(kindsTaken(board, ['a', 'b', 'c'])).toEqual(['reset', 'reset', 'reset']);
    board.clear();
    expect(kindsTaken(board, ['a'])).toEqual(['-']);
  });

  it('applies faults of one scope in the order they were set', () => {
    const board = new FaultBoard();
    board.set({ kind: 'rate_limit', retryAfterSeconds: 3, count: 1 });
    board.set({ kind: 'server_error', count: 1 });
    expect(kindsTaken(board, ['a', 'a', 'a'])).toEqual(['rate_limit', 'server_error', '-']);
  });

  it("lets an order's own fault win over a global one, and touches no other order", () => {
    const board = new FaultBoard();
    board.set({ kind: 'slow', delayMs: 10 });
    board.set({ kind: 'malformed', count: 1 }, 'a');
    expect(kindsTaken(board, ['b', 'a', 'a', undefined])).toEqual(['slow', 'malformed', 'slow', 'slow']);
  });

  it("clears one order's faults only", () => {
    const board = new FaultBoard();
    board.set({ kind: 'auth_refused' });
    board.set({ kind: 'schema_drift' }, 'a');
    board.clear('a');
    expect(kindsTaken(board, ['a'])).toEqual(['auth_refused']);
  });

  it('rejects a malformed fault', () => {
    const board = new FaultBoard();
    expect(() => board.set({ kind: 'rate_limit' } as never)).toThrow();
    expect(() => board.set({ kind: 'server_error', count: 0 })).toThrow();
  });
});

describe('RequestLog', () => {
  it('lists entries by arrival time, per order, as copies', () => {
    const log = new RequestLog();
    log.record({ at: 20, orderId: 'a', operation: 'get_order', httpStatus: 200 });
    log.record({ at: 10, orderId: 'a', operation: 'get_order', httpStatus: 200, fault: 'slow' });
    log.record({ at: 15, operation: 'purchases', httpStatus: 200 });
    expect(log.list('a').map((entry) => entry.at)).toEqual([10, 20]);
    expect(log.list().map((entry) => entry.at)).toEqual([10, 15, 20]);
    log.list()[0]!.httpStatus = 999;
    expect(log.list()[0]!.httpStatus).toBe(200);
  });
});
