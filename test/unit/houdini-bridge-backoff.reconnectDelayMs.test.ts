import { DEFAULT_BACKOFF, backoffStepMs, reconnectDelayMs, resolveBackoff } from '../../providers/houdini/houdini-backoff';

const settings = { initialMs: 1_000, maxMs: 30_000, factor: 2 };

test.each([
  [1, 1_000],
  [2, 2_000],
  [3, 4_000],
  [5, 16_000],
  [6, 30_000], // 32 s capped
  [50, 30_000],
  [0, 1_000], // nonsense attempts count as the first
])('attempt %i steps %i ms', (attempt, step) => {
  expect(backoffStepMs(attempt, settings)).toBe(step);
});

test.each([1, 2, 3, 4, 5, 6, 10, 1_000])('attempt %i waits between half the step and the step', (attempt) => {
  const step = backoffStepMs(attempt, settings);
  expect(reconnectDelayMs(attempt, settings, () => 0)).toBe(step / 2);
  expect(reconnectDelayMs(attempt, settings, () => 0.999_999)).toBe(step);
  for (let sample = 0; sample < 200; sample += 1) {
    const delay = reconnectDelayMs(attempt, settings);
    expect(delay).toBeGreaterThanOrEqual(step / 2);
    expect(delay).toBeLessThanOrEqual(step);
  }
});

test('the jitter spreads replicas that dropped together', () => {
  const delays = new Set(Array.from({ length: 50 }, () => reconnectDelayMs(4, settings)));
  expect(delays.size).toBeGreaterThan(10);
});

test('a random source out of range cannot push a delay out of its bounds', () => {
  expect(reconnectDelayMs(2, settings, () => -3)).toBe(1_000);
  expect(reconnectDelayMs(2, settings, () => 7)).toBe(2_000);
});

test('defaults fill what is not given; nonsense that would be a reconnect storm is refused', () => {
  expect(resolveBackoff()).toEqual(DEFAULT_BACKOFF);
  expect(resolveBackoff({ initialMs: 50 })).toEqual({ ...DEFAULT_BACKOFF, initialMs: 50 });
  expect(() => resolveBackoff({ initialMs: 0 })).toThrow(/initialMs/);
  expect(() => resolveBackoff({ initialMs: Number.NaN })).toThrow(/initialMs/);
  expect(() => resolveBackoff({ initialMs: 5_000, maxMs: 1_000 })).toThrow(/maxMs/);
  expect(() => resolveBackoff({ factor: 0.5 })).toThrow(/factor/);
});
