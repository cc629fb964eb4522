import { ProviderGate } from '../../activities/provider-gate';

/** A clock read in turn: each call to now() returns the next time of the script, then the last one. */
function scriptedClock(times: number[]): () => number {
  let call = 0;
  return () => times[Math.min(call++, times.length - 1)] as number;
}

test('a request whose wait for its slot ended on time takes one slot', async () => {
  const gate = new ProviderGate(scriptedClock([0, 0, 10, 10]));
  expect(await gate.waitForSlot('magma', 1_000)).toBe(0);
  // The next request's slot is one interval after the first.
  expect(await gate.reserve('magma', 1_000)).toBe(990);
});

test('a request that would go out more than half an interval after its slot takes a fresh slot instead', async () => {
  const warnings: string[] = [];
  // Reserved at 0 (slot 0), checked at 600: late by 600 > 500. The fresh slot is at 1,000 (reserved
  // at 999: 1 ms of real wait), checked on time; then another request reserves at 1,000.
  const gate = new ProviderGate(scriptedClock([0, 0, 600, 999, 999, 1_000, 1_000, 1_000]), undefined, (message) => warnings.push(message));
  expect(await gate.waitForSlot('magma', 1_000)).toBe(1);
  // The missed slot and the one it went out in are both taken: the next is at 2,000.
  expect(await gate.reserve('magma', 1_000)).toBe(1_000);
  expect(warnings).toEqual([]);
});

test('without a budget (no interval) a late request goes out as it is', async () => {
  const gate = new ProviderGate(scriptedClock([0, 0, 5_000, 5_000]));
  expect(await gate.waitForSlot('houdini', 0)).toBe(0);
  // One slot taken: the next is free at once.
  expect(await gate.reserve('houdini', 0)).toBe(0);
});
