import { clockSkewText } from '../../activities/callback-delivery';

describe('clockSkewText', () => {
  it.each([
    [0, null],
    [59_000, null],
    [-59_000, null],
    [300_000, "the worker's clock is 300 s ahead of the Temporal server's (receivers allow 300 s)"],
    [-301_400, "the worker's clock is 301 s behind the Temporal server's (receivers allow 300 s)"],
  ])('%d ms → %s', (skewMs, expected) => {
    expect(clockSkewText(skewMs)).toBe(expected);
  });
});
