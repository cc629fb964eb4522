/**
 * The cases every store besides the ledger is held to, on whichever dialect the caller opened
 * (test/integration/storage-contract.test.ts runs them over SQLite and PostgreSQL). `open()` opens
 * the database as another process would: its own connections, the same tables.
 *
 * Times that the stores compute from a clock (a slot's wait, a lease) are asserted with a minute of
 * room: nothing here depends on how fast the machine runs.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from '../../storage/database';
import type { KeptAnswer } from '../../storage/ledger/provider-answers';
import { EXPIRED_AFTER_MS, FLOOR_ONLY_SHARD, type MemberRegistration } from '../../storage/poll-group-members/member-store';
import { LEASE_EXPIRED_REASON } from '../../storage/push-channels/push-channel-state';

type Open = () => Promise<Database>;

/** Long enough that the milliseconds a busy machine spends between two calls never matter. */
const MINUTE = 60_000;
const ROOM = 5_000;

function answer(digest: string, receivedAt: string, changes: Partial<KeptAnswer> = {}): KeptAnswer {
  return {
    provider: 'magma',
    orderId: 'order-1',
    source: 'poll',
    status: `STATUS_${digest}`,
    digest,
    answer: { status: `STATUS_${digest}`, nested: { digest } },
    receivedAt,
    ...changes,
  };
}
const at = (second: number) => `2026-06-10T18:00:${String(second).padStart(2, '0')}.000Z`;

export function answerCases(open: Open): void {
  it('keeps an answer whole, and skips one whose digest is the last kept one', async () => {
    const { ledger } = await open();
    expect(await ledger.lastAnswerDigest('magma', 'order-1')).toBeUndefined();
    expect(await ledger.keepAnswer(answer('a', at(1)), 10)).toBe(true);
    expect(await ledger.keepAnswer(answer('a', at(2), { source: 'push' }), 10)).toBe(false);
    expect(await ledger.keepAnswer(answer('b', at(3), { source: 'group' }), 10)).toBe(true);
    // Only the last one counts: a status that comes back is a change again.
    expect(await ledger.keepAnswer(answer('a', at(4), { source: 'sweep' }), 10)).toBe(true);
    expect(await ledger.answers('magma', 'order-1')).toEqual([answer('a', at(1)), answer('b', at(3), { source: 'group' }), answer('a', at(4), { source: 'sweep' })]);
    expect(await ledger.lastAnswerDigest('magma', 'order-1')).toBe('a');
  });

  it('keeps an order to its newest answers, hands out the newest few oldest first, and keeps orders apart', async () => {
    const { ledger } = await open();
    for (let second = 1; second <= 5; second += 1) await ledger.keepAnswer(answer(`d${second}`, at(second)), 3);
    await ledger.keepAnswer(answer('other', at(6), { provider: 'houdini' }), 3);
    expect((await ledger.answers('magma', 'order-1')).map((kept) => kept.digest)).toEqual(['d3', 'd4', 'd5']);
    expect((await ledger.answers('magma', 'order-1', 2)).map((kept) => kept.digest)).toEqual(['d4', 'd5']);
    expect((await ledger.answers('houdini', 'order-1')).map((kept) => kept.digest)).toEqual(['other']);
    expect(await ledger.answers('magma', 'order-2')).toEqual([]);
  });

  it('prunes the answers received before a time, saying how many', async () => {
    const { ledger } = await open();
    for (let second = 1; second <= 4; second += 1) await ledger.keepAnswer(answer(`d${second}`, at(second)), 10);
    expect(await ledger.pruneAnswers(at(3))).toBe(2);
    expect((await ledger.answers('magma', 'order-1')).map((kept) => kept.digest)).toEqual(['d3', 'd4']);
  });

  it('keeps one change once when two processes keep it at the same moment', async () => {
    const ledgers = [(await open()).ledger, (await open()).ledger];
    const kept = await Promise.all(Array.from({ length: 8 }, (_, index) => ledgers[index % 2]?.keepAnswer(answer('same', at(index)), 10)));
    expect(kept.filter(Boolean)).toHaveLength(1);
    expect(await ledgers[1]?.answers('magma', 'order-1')).toHaveLength(1);
  });
}

export function requestSlotCases(open: Open): void {
  it("spaces a provider's reservations by the interval, each provider on its own", async () => {
    const { requestSlots } = await open();
    expect(await requestSlots.reserve('magma', MINUTE)).toBe(0);
    expect(await requestSlots.reserve('magma', MINUTE)).toBeGreaterThan(MINUTE - ROOM);
    expect(await requestSlots.reserve('magma', MINUTE)).toBeGreaterThan(2 * MINUTE - ROOM);
    expect(await requestSlots.reserve('houdini', MINUTE)).toBe(0);
  });

  it('hands out slots an interval apart when two processes reserve at once', async () => {
    const slots = [(await open()).requestSlots, (await open()).requestSlots];
    const waits = await Promise.all(Array.from({ length: 6 }, (_, index) => slots[index % 2]?.reserve('ozzobit', MINUTE) ?? 0));
    const sorted = [...waits].sort((first, second) => first - second);
    expect(sorted[0]).toBe(0);
    for (let index = 1; index < sorted.length; index += 1) expect((sorted[index] ?? 0) - (sorted[index - 1] ?? 0)).toBeGreaterThan(MINUTE - ROOM);
  });

  it("keeps the floor of an order no group lists in a floor-only row, and refuses a request within it", async () => {
    const { requestSlots, members } = await open();
    expect(await requestSlots.reserveFor('miraclecash', 0, { orderId: 'alone', minGapMs: MINUTE })).toEqual({ waitMs: expect.any(Number), reserved: true });
    const row = await members.find('miraclecash', 'alone');
    expect(row).toMatchObject({ shard: FLOOR_ONLY_SHARD, minGapMs: MINUTE, lastRequestMs: expect.any(Number) });
    expect(await members.list('miraclecash', FLOOR_ONLY_SHARD)).toHaveLength(1);

    const refused = await requestSlots.reserveFor('miraclecash', 0, { orderId: 'alone', minGapMs: MINUTE });
    expect(refused.reserved).toBe(false);
    expect(refused.waitMs).toBeGreaterThan(MINUTE - ROOM);
    expect((await members.find('miraclecash', 'alone'))?.lastRequestMs).toBe(row?.lastRequestMs);
    // Another order of the provider is not held by this one's floor.
    expect((await requestSlots.reserveFor('miraclecash', 0, { orderId: 'other', minGapMs: MINUTE })).reserved).toBe(true);
  });

  it("records a member's request, marks its group's look only for the group's requests, and moves its floor to a later answer", async () => {
    const { requestSlots, members } = await open();
    await members.register(registration({ orderId: 'grouped', polledAt: Date.now() - 2 * MINUTE, minGapMs: 1_000 }));
    const own = await requestSlots.reserveFor('magma', 0, { orderId: 'grouped', minGapMs: 1_000 });
    expect(own.reserved).toBe(true);
    const afterOwn = await members.find('magma', 'grouped');
    expect(afterOwn?.groupCheckedMs).toBeNull();
    expect(afterOwn?.lastRequestMs).toBeGreaterThan(Date.now() - MINUTE);

    await sleep(1_100); // the 1 s floor of the order's own request
    const byGroup = await requestSlots.reserveFor('magma', 0, { orderId: 'grouped', minGapMs: 1_000, byGroup: true });
    expect(byGroup.reserved).toBe(true);
    const afterGroup = await members.find('magma', 'grouped');
    expect(afterGroup?.groupCheckedMs).toBe(afterGroup?.lastRequestMs);

    const answeredAt = (afterGroup?.lastRequestMs ?? 0) + MINUTE;
    await requestSlots.answered('magma', 'grouped', answeredAt);
    await requestSlots.answered('magma', 'grouped', answeredAt - 2 * MINUTE); // an earlier answer, delivered late
    expect((await members.find('magma', 'grouped'))?.lastRequestMs).toBe(answeredAt);
  });
}

export function pushChannelCases(open: Open, execute: (sql: string) => Promise<void>): void {
  it('hands every provider its last state, as another process wrote it', async () => {
    const ingress = (await open()).pushChannels;
    const worker = (await open()).pushChannels;
    expect(await worker.readAll()).toEqual([]);
    await ingress.write({ provider: 'ozzobit', state: 'up', reason: null, since: 1_000 });
    await ingress.write({ provider: 'houdini', state: 'connecting', reason: 'socket closed', since: 2_000 });
    await ingress.write({ provider: 'ozzobit', state: 'down', reason: 'refused credentials', since: 3_000 });
    const states = await worker.readAll();
    expect(states.sort((first, second) => first.since - second.since)).toEqual([
      { provider: 'houdini', state: 'connecting', reason: 'socket closed', since: 2_000 },
      { provider: 'ozzobit', state: 'down', reason: 'refused credentials', since: 3_000 },
    ]);
  });

  it('reads a state whose lease ran out as down, saying why', async () => {
    const { pushChannels } = await open();
    await pushChannels.write({ provider: 'ozzobit', state: 'up', reason: null, since: 1_000 }, 1);
    await sleep(50);
    expect(await pushChannels.readAll()).toEqual([{ provider: 'ozzobit', state: 'down', reason: LEASE_EXPIRED_REASON, since: 1_000 }]);
    await pushChannels.write({ provider: 'ozzobit', state: 'up', reason: null, since: 2_000 }, MINUTE);
    expect(await pushChannels.readAll()).toEqual([{ provider: 'ozzobit', state: 'up', reason: null, since: 2_000 }]);
  });

  it('leaves out rows it does not understand (a provider or state it does not know)', async () => {
    const { pushChannels } = await open();
    await pushChannels.write({ provider: 'houdini', state: 'up', reason: null, since: 1_000 }, MINUTE);
    await execute("INSERT INTO push_channels (provider, state, reason, since, expires_at) VALUES ('retired', 'up', NULL, 1, 9999999999999), ('magma', 'sleepy', NULL, 1, 9999999999999)");
    expect(await pushChannels.readAll()).toEqual([{ provider: 'houdini', state: 'up', reason: null, since: 1_000 }]);
  });
}

function registration(changes: Partial<MemberRegistration> = {}): MemberRegistration {
  return {
    provider: 'magma',
    orderId: 'member-1',
    shard: 0,
    status: 'WAITING_FOR_BUYER_PAYMENT',
    rank: 2,
    attention: null,
    nextWaitMs: 30_000,
    minGapMs: 5_000,
    recheckMs: 60_000,
    pushesSeen: false,
    deadlineMs: Date.now() + 3_600_000,
    polledAt: Date.now(),
    ...changes,
  };
}

export function memberCases(open: Open): void {
  it('registers an order in its group and hands its row back whole', async () => {
    const { members } = await open();
    const member = registration({ polledAt: 1_700_000_000_123.4 });
    await members.register(member);
    const row = await members.find('magma', 'member-1');
    expect(row).toEqual({
      ...member,
      polledAt: 1_700_000_000_124,
      deadlineMs: Math.ceil(member.deadlineMs),
      registeredMs: expect.any(Number),
      lastRequestMs: 1_700_000_000_124,
      groupCheckedMs: null,
    });
    expect(Math.abs((row?.registeredMs ?? 0) - Date.now())).toBeLessThan(MINUTE);
    expect(await members.find('magma', 'member-2')).toBeUndefined();
  });

  it("lists a group's shard only: not another shard's, another provider's, or floor-only rows", async () => {
    const { members } = await open();
    await members.register(registration({ orderId: 'a' }));
    await members.register(registration({ orderId: 'b', shard: 1 }));
    await members.register(registration({ orderId: 'c', provider: 'houdini' }));
    await members.register(registration({ orderId: 'd', shard: FLOOR_ONLY_SHARD }));
    expect((await members.list('magma', 0)).map((row) => row.orderId)).toEqual(['a']);
    expect((await members.list('magma', 1)).map((row) => row.orderId)).toEqual(['b']);
  });

  it('refreshes a registration keeping its registration time, its latest request and pushes once seen', async () => {
    const { members } = await open();
    const first = registration({ pushesSeen: true, polledAt: 2_000_000 });
    await members.register(first);
    const registeredMs = (await members.find('magma', 'member-1'))?.registeredMs;
    await sleep(5);
    await members.register(registration({ shard: 3, status: 'PAID', rank: 50, pushesSeen: false, polledAt: 1_000_000 }));
    expect(await members.find('magma', 'member-1')).toMatchObject({ shard: 3, status: 'PAID', rank: 50, pushesSeen: true, registeredMs, lastRequestMs: 2_000_000 });
    await members.register(registration({ polledAt: 3_000_000 }));
    expect((await members.find('magma', 'member-1'))?.lastRequestMs).toBe(3_000_000);
  });

  it("saves what the group saw, marks its looks and pushes, and removes the order", async () => {
    const { members } = await open();
    await members.register(registration({ orderId: 'a' }));
    await members.register(registration({ orderId: 'b' }));
    await members.saveState('magma', 'a', { status: 'PAID', rank: 60, attention: 'seller slow', nextWaitMs: 15_000 });
    await members.markChecked('magma', ['a', 'b', 'unknown'], 5_000.5);
    await members.markChecked('magma', [], 9_000);
    await members.setPushesSeen('magma', 'b');
    expect(await members.find('magma', 'a')).toMatchObject({ status: 'PAID', rank: 60, attention: 'seller slow', nextWaitMs: 15_000, groupCheckedMs: 5_001, pushesSeen: false });
    expect(await members.find('magma', 'b')).toMatchObject({ status: 'WAITING_FOR_BUYER_PAYMENT', groupCheckedMs: 5_001, pushesSeen: true });
    await members.remove('magma', 'a');
    expect(await members.find('magma', 'a')).toBeUndefined();
    expect((await members.list('magma', 0)).map((row) => row.orderId)).toEqual(['b']);
  });

  it('removes the rows of orders whose deadline passed more than a day ago', async () => {
    const { members } = await open();
    const now = Date.now();
    await members.register(registration({ orderId: 'gone', deadlineMs: now - EXPIRED_AFTER_MS - MINUTE }));
    await members.register(registration({ orderId: 'late', deadlineMs: now - EXPIRED_AFTER_MS + MINUTE }));
    await members.register(registration({ orderId: 'running', deadlineMs: now + MINUTE }));
    await members.removeExpired(now);
    expect((await members.list('magma', 0)).map((row) => row.orderId).sort()).toEqual(['late', 'running']);
  });

  it("keeps a group loop's owner and life: a newer claim wins, and the replaced owner's writes are refused", async () => {
    const { members } = await open();
    const other = await open();
    expect(await members.findLoop('poll-group:magma:0')).toBeUndefined();
    await members.claimLoop('poll-group:magma:0', 'run-1/1#1', 1_000.2);
    expect(await other.members.findLoop('poll-group:magma:0')).toEqual({ groupId: 'poll-group:magma:0', owner: 'run-1/1#1', aliveMs: 1_001 });
    expect(await members.loopAlive('poll-group:magma:0', 'run-1/1#1', 6_000)).toBe(true);
    // Another attempt takes the group over: the first one's next write finds it gone and changes nothing.
    await other.members.claimLoop('poll-group:magma:0', 'run-1/1#2', 7_000);
    expect(await members.loopAlive('poll-group:magma:0', 'run-1/1#1', 8_000)).toBe(false);
    expect(await members.loopAlive('poll-group:magma:0', 'run-1/1#2', 9_000)).toBe(true);
    expect(await members.findLoop('poll-group:magma:0')).toEqual({ groupId: 'poll-group:magma:0', owner: 'run-1/1#2', aliveMs: 9_000 });
    // Another group's row is its own; a group never claimed has none to keep alive.
    await members.claimLoop('poll-group:magma:1', 'run-2/1#1', 10_000);
    expect((await members.findLoop('poll-group:magma:0'))?.owner).toBe('run-1/1#2');
    expect(await members.loopAlive('poll-group:houdini:0', 'run-1/1#2', 11_000)).toBe(false);
  });
}
