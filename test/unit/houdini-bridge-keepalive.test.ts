import { startKeepalive } from '../../providers/houdini/houdini-keepalive';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

function keepalive() {
  const pings: number[] = [];
  const dead = jest.fn();
  const handle = startKeepalive({ intervalMs: 1_000, timeoutMs: 300, sendPing: () => pings.push(Date.now()), onDead: dead });
  return { pings, dead, handle };
}

test('pings every interval while pongs come back in time', () => {
  const start = Date.now();
  const { pings, dead, handle } = keepalive();
  jest.advanceTimersByTime(1_000); // the first tick: a ping
  for (let second = 0; second < 5; second += 1) {
    jest.advanceTimersByTime(250);
    handle.pong(); // 250 ms later: within the 300 ms deadline
    jest.advanceTimersByTime(750); // the next tick
  }
  expect(pings).toEqual([1_000, 2_000, 3_000, 4_000, 5_000, 6_000].map((at) => at + start));
  expect(dead).not.toHaveBeenCalled();
  handle.stop();
});

test('a pong later than the deadline declares the connection dead, once, and stops pinging', () => {
  const { pings, dead, handle } = keepalive();
  jest.advanceTimersByTime(1_000);
  expect(pings).toHaveLength(1);
  jest.advanceTimersByTime(299);
  expect(dead).not.toHaveBeenCalled();
  jest.advanceTimersByTime(1);
  expect(dead).toHaveBeenCalledTimes(1);
  handle.pong(); // too late: nothing changes
  jest.advanceTimersByTime(10_000);
  expect(pings).toHaveLength(1);
  expect(dead).toHaveBeenCalledTimes(1);
});

test('a deadline longer than the interval is not restarted by the next tick', () => {
  const pings: number[] = [];
  const dead = jest.fn();
  startKeepalive({ intervalMs: 100, timeoutMs: 250, sendPing: () => pings.push(Date.now()), onDead: dead });
  jest.advanceTimersByTime(349);
  expect(dead).not.toHaveBeenCalled();
  jest.advanceTimersByTime(1);
  expect(dead).toHaveBeenCalledTimes(1);
  expect(pings).toHaveLength(1);
});

test('stop ends pings and deadlines', () => {
  const { pings, dead, handle } = keepalive();
  jest.advanceTimersByTime(1_000);
  handle.stop();
  jest.advanceTimersByTime(10_000);
  expect(pings).toHaveLength(1);
  expect(dead).not.toHaveBeenCalled();
});
