import { ProviderGate } from '../../activities/provider-gate';
import type { MemberRow, MemberStore } from '../../storage/poll-group-members/member-store';
import { PollGroup } from '../../activities/poll-groups/poll-group';
import type { Observation } from '../../domain/types';
import type { ProviderAdapter } from '../../providers/provider';

const CADENCE_MS = 100;

function oneMember(now: number): MemberRow {
  return {
    provider: 'ozzobit',
    orderId: 'o-1',
    shard: 0,
    status: 'PROCESSING',
    rank: 1,
    attention: null,
    nextWaitMs: CADENCE_MS,
    minGapMs: CADENCE_MS,
    recheckMs: 60_000,
    pushesSeen: false,
    deadlineMs: now + 3_600_000,
    polledAt: now,
    registeredMs: now,
    lastRequestMs: null,
    groupCheckedMs: null,
  };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test('a finished poll wakes the group at once: a member is asked at its cadence, not at the loop\'s one-second idle look', async () => {
  const start = Date.now();
  const unchanged: Observation = { status: 'PROCESSING', phase: 'in_flight', recognised: true, rank: 1, nextWaitMs: CADENCE_MS, details: {} as Observation['details'] };
  const adapter = { name: 'ozzobit', fetchOrder: jest.fn(async () => unchanged) } as unknown as ProviderAdapter;
  const members = {
    list: async () => [oneMember(start)],
    markChecked: async () => undefined,
    saveState: async () => undefined,
    remove: async () => undefined,
  } as unknown as MemberStore;
  const group = new PollGroup({
    provider: 'ozzobit',
    shard: 0,
    adapter,
    members,
    gate: new ProviderGate(),
    requestIntervalMs: 0,
    reports: { report: async () => 'delivered', ensureGroup: async () => undefined },
    pushFallback: async () => undefined,
    log: { info: () => undefined, warn: () => undefined },
  });
  const controller = new AbortController();
  const running = group.run(controller.signal, () => undefined, 60_000);
  await jest.advanceTimersByTimeAsync(1_000);
  controller.abort();
  await jest.advanceTimersByTimeAsync(100);
  const progress = await running;
  // Due at 100, 200, … 1,000 ms: ten looks in the second (the loop used to sleep a second after each).
  expect(progress.polls).toBeGreaterThanOrEqual(9);
  expect(adapter.fetchOrder).toHaveBeenCalledTimes(progress.polls);
});
