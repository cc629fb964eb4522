/** When a poll may slow to the push fallback: push settings, the channel up (as the ingress reports it), and a verified push seen by the order. */
import { createPushFallback } from '../../activities/push-fallback';
import type { PushChannelStatus } from '../../storage/push-channels/push-channel-state';

const FALLBACK_MS = 120_000;
const up = (provider: PushChannelStatus['provider']): PushChannelStatus => ({ provider, state: 'up', reason: null, since: 0 });
const down = (provider: PushChannelStatus['provider']): PushChannelStatus => ({ provider, state: 'down', reason: 'refused', since: 0 });

function fallbackWith(states: PushChannelStatus[] | Error, now = { value: 0 }) {
  let reads = 0;
  const fallback = createPushFallback({
    pushFallbackPollMs: { houdini: FALLBACK_MS, ozzobit: FALLBACK_MS },
    pushChannels: {
      async readAll() {
        reads += 1;
        if (states instanceof Error) throw states;
        return [...states];
      },
    },
    clock: () => now.value,
  });
  return { fallback, reads: () => reads };
}

test.each([
  ['channel up, a verified push seen', [up('houdini')], { provider: 'houdini', pushesSeen: true }, FALLBACK_MS],
  ['channel up, no push seen yet (webhooks configured but never arriving)', [up('houdini')], { provider: 'houdini', pushesSeen: false }, undefined],
  ['channel up, pushesSeen absent (a workflow that does not say)', [up('houdini')], { provider: 'houdini' }, undefined],
  ['channel down (the bridge stopped after a 4401)', [down('houdini')], { provider: 'houdini', pushesSeen: true }, undefined],
  ['no ingress ever reported the channel', [], { provider: 'houdini', pushesSeen: true }, undefined],
  ['another provider’s channel up', [up('ozzobit')], { provider: 'houdini', pushesSeen: true }, undefined],
  ['a provider without push settings', [up('magma')], { provider: 'magma', pushesSeen: true }, undefined],
] as const)('%s → %p', async (_name, states, request, expected) => {
  expect(await fallbackWith([...states]).fallback(request)).toBe(expected);
});

test('an unreadable store counts as down: the status cadence is the safe side', async () => {
  expect(await fallbackWith(new Error('database locked')).fallback({ provider: 'houdini', pushesSeen: true })).toBeUndefined();
});

test('reads the store at most every 3 s, then sees a change', async () => {
  const now = { value: 0 };
  const states = [up('houdini')];
  const { fallback, reads } = fallbackWith(states, now);
  expect(await fallback({ provider: 'houdini', pushesSeen: true })).toBe(FALLBACK_MS);
  states[0] = down('houdini');
  now.value = 2_999;
  expect(await fallback({ provider: 'houdini', pushesSeen: true })).toBe(FALLBACK_MS);
  expect(reads()).toBe(1);
  now.value = 3_000;
  expect(await fallback({ provider: 'houdini', pushesSeen: true })).toBeUndefined();
  expect(reads()).toBe(2);
});

test('without a channel reader the channel counts as up (a worker built without the database)', async () => {
  const fallback = createPushFallback({ pushFallbackPollMs: { houdini: FALLBACK_MS } });
  expect(await fallback({ provider: 'houdini', pushesSeen: true })).toBe(FALLBACK_MS);
  expect(await fallback({ provider: 'houdini' })).toBeUndefined();
});
