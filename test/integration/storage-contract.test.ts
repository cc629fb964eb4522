/**
 * The storage layer's contract, the same cases over both dialects: SQLite on a real file in a
 * temporary folder and PostgreSQL on a real throwaway cluster, each opened through openDatabase as
 * DATABASE_URL names it. Every store it hands out is held to them: the ledger, the audit trail's
 * answers, the request slots, the push channels and the poll groups' members. A dialect that breaks
 * a store's rule fails here by name.
 */
import type { Database } from '../../storage/database';
import type { Ledger, OutcomeRecord } from '../../storage/ledger/ledger';
import { openDatabase } from '../../storage/open-database';
import type { Observation, Outcome } from '../../domain/types';
import { type LedgerBackend, type LedgerDatabase, postgresBackend, sqliteBackend } from '../helpers/ledger-backends';
import { answerCases, memberCases, pushChannelCases, requestSlotCases } from '../helpers/store-contracts';

/** Installing PostgreSQL from Debian on a fresh machine takes a while. */
const START_TIMEOUT_MS = 12 * 60_000;

const SUCCESS: Observation = {
  status: 'VALID_CHANNEL_OPENING',
  phase: 'succeeded',
  recognised: true,
  rank: 100,
  nextWaitMs: 10_000,
  details: { channel_id: '800000x1x0', confirmations: 6 },
};
const WAITING: Observation = { ...SUCCESS, status: 'WAITING_FOR_BUYER_PAYMENT', phase: 'in_flight', rank: 2, details: {} };
const FAILURE: Observation = { ...SUCCESS, status: 'ADMIN_CLOSED', phase: 'failed', details: {} };
const LATER = '2026-06-11T00:00:00.000Z';

function record(outcome: Outcome, changes: Partial<OutcomeRecord> = {}): OutcomeRecord {
  const observation = outcome === 'succeeded' ? SUCCESS : outcome === 'failed' ? FAILURE : WAITING;
  return {
    provider: 'magma',
    orderId: 'order-1',
    reference: 'invoice-42',
    outcome,
    observation,
    transitions: [{ status: observation.status, at: '2026-06-10T18:00:00.000Z', source: 'poll' }],
    workflowId: 'order:magma:order-1',
    occurredAt: `2026-06-10T18:00:00.000Z#${outcome}`,
    ...changes,
  };
}

describe.each([sqliteBackend(), postgresBackend()])('the $name database', (backend: LedgerBackend) => {
  let database: LedgerDatabase;
  const opened: Database[] = [];

  /** The database as a process opens it; each call is another process's (its own connections). */
  async function openStores(): Promise<Database> {
    const stores = await openDatabase(database.url);
    opened.push(stores);
    return stores;
  }
  const open = async (): Promise<Ledger> => (await openStores()).ledger;

  beforeAll(() => backend.start(), START_TIMEOUT_MS);
  afterAll(() => backend.stop());
  beforeEach(async () => {
    database = await backend.freshDatabase();
  });
  afterEach(async () => {
    for (const stores of opened.splice(0)) await stores.close().catch(() => undefined);
  });

  describe("the audit trail's answers", () => answerCases(openStores));
  describe('the request slots', () => requestSlotCases(openStores));
  describe('the push channels', () => pushChannelCases(openStores, (sql) => database.execute(sql)));
  describe("the poll groups' members", () => memberCases(openStores));

  describe('the ledger', () => {
    it('records a final outcome with everything the row needs, its callback body pending', async () => {
      const ledger = await open();
      const result = await ledger.record(record('succeeded'), '{"outcome":"succeeded"}');
      expect(result.recorded).toBe(true);
      expect(result.row).toEqual({
        orderKey: 'magma:order-1',
        provider: 'magma',
        orderId: 'order-1',
        reference: 'invoice-42',
        outcome: 'succeeded',
        final: true,
        status: 'VALID_CHANNEL_OPENING',
        observation: SUCCESS,
        transitions: [{ status: 'VALID_CHANNEL_OPENING', at: '2026-06-10T18:00:00.000Z', source: 'poll' }],
        workflowId: 'order:magma:order-1',
        occurredAt: '2026-06-10T18:00:00.000Z#succeeded',
        recordedAt: expect.any(String),
        callback: 'pending',
        callbackBody: '{"outcome":"succeeded"}',
        callbackDetail: null,
        hooksDone: [],
      });
      expect(Number.isFinite(Date.parse(result.row.recordedAt))).toBe(true);
      expect(await ledger.find('magma', 'order-1')).toEqual(result.row);
    });

    it('records an outcome without an observation and without a callback', async () => {
      const ledger = await open();
      const result = await ledger.record(record('tracking_cancelled', { observation: null, transitions: [] }));
      expect(result.row).toMatchObject({ status: null, observation: null, transitions: [], final: false, callback: 'none', callbackBody: null });
    });

    it.each<[string, Outcome, Outcome]>([
      ['succeeded then failed', 'succeeded', 'failed'],
      ['failed then succeeded', 'failed', 'succeeded'],
      ['succeeded then timed_out', 'succeeded', 'timed_out'],
      ['failed then tracking_cancelled', 'failed', 'tracking_cancelled'],
    ])('records a final outcome once: %s keeps the first', async (_name, first, second) => {
      const ledger = await open();
      const original = await ledger.record(record(first), '{"first":true}');
      const later = await ledger.record(record(second, { occurredAt: LATER }), '{"second":true}');
      expect(later).toEqual({ recorded: false, row: original.row });
      expect(await ledger.find('magma', 'order-1')).toEqual(original.row);
    });

    it.each<[string, Outcome, Outcome, boolean]>([
      ['timed_out then succeeded', 'timed_out', 'succeeded', true],
      ['tracking_cancelled then failed', 'tracking_cancelled', 'failed', true],
      ['timed_out then tracking_cancelled', 'timed_out', 'tracking_cancelled', false],
      ['tracking_cancelled then timed_out', 'tracking_cancelled', 'timed_out', false],
    ])('replaces a non-final outcome: %s', async (_name, first, second, final) => {
      const ledger = await open();
      await ledger.record(record(first), '{"first":true}');
      const later = await ledger.record(record(second, { reference: null, occurredAt: LATER }), '{"second":true}');
      expect(later.recorded).toBe(true);
      expect(later.row).toMatchObject({ outcome: second, final, reference: null, occurredAt: LATER, callbackBody: '{"second":true}' });
      expect(await ledger.find('magma', 'order-1')).toEqual(later.row);
    });

    it('starts a replacing record with no hooks done and no callback detail', async () => {
      const ledger = await open();
      await ledger.record(record('timed_out'), '{"first":true}');
      expect(await ledger.markHookDone('magma', 'order-1', 'magma:order-1:timed_out:first:onTimedOut')).toBe(true);
      await ledger.markCallback('magma', 'order-1', 'timed_out', 'rejected', '410 Gone');
      const again = await ledger.record(record('timed_out', { occurredAt: LATER }), '{"second":true}');
      expect(again.row).toMatchObject({ hooksDone: [], callback: 'pending', callbackDetail: null });
      expect(await ledger.find('magma', 'order-1')).toEqual(again.row);
    });

    it.each<[string, Outcome]>([
      ['non-final', 'timed_out'],
      ['final', 'succeeded'],
    ])('answers a retry of the same %s write as recorded, changing nothing (not even the callback body)', async (_name, outcome) => {
      const ledger = await open();
      const first = await ledger.record(record(outcome), '{"first":true}');
      expect(await ledger.markHookDone('magma', 'order-1', 'hook')).toBe(true);
      const retry = await ledger.record(record(outcome), '{"rebuilt":true}');
      expect(retry).toEqual({ recorded: true, row: { ...first.row, hooksDone: ['hook'] } });
    });

    it('keeps orders apart by provider and order id', async () => {
      const ledger = await open();
      await ledger.record(record('succeeded'));
      await ledger.record(record('failed', { provider: 'houdini', workflowId: 'order:houdini:order-1' }));
      await ledger.record(record('timed_out', { orderId: 'order-2', workflowId: 'order:magma:order-2' }));
      expect((await ledger.find('magma', 'order-1'))?.outcome).toBe('succeeded');
      expect((await ledger.find('houdini', 'order-1'))?.outcome).toBe('failed');
      expect((await ledger.find('magma', 'order-2'))?.outcome).toBe('timed_out');
      expect(await ledger.find('magma', 'order-3')).toBeUndefined();
      expect(await ledger.find('ozzobit', 'order-1')).toBeUndefined();
    });

    it('marks the callback of the current outcome only', async () => {
      const ledger = await open();
      await ledger.record(record('timed_out'), '{"first":true}');
      await ledger.record(record('succeeded', { occurredAt: LATER }), '{"second":true}');
      // A late delivery of the replaced outcome's callback must not mark the new one.
      await ledger.markCallback('magma', 'order-1', 'timed_out', 'delivered', null);
      expect((await ledger.find('magma', 'order-1'))?.callback).toBe('pending');
      await ledger.markCallback('magma', 'order-1', 'succeeded', 'rejected', '400 Bad Request');
      expect(await ledger.find('magma', 'order-1')).toMatchObject({ callback: 'rejected', callbackDetail: '400 Bad Request' });
    });

    it('marks a hook done once, and none for an order it does not hold', async () => {
      const ledger = await open();
      await ledger.record(record('failed'));
      expect(await ledger.markHookDone('magma', 'order-1', 'magma:order-1:failed:onFailed')).toBe(true);
      expect(await ledger.markHookDone('magma', 'order-1', 'magma:order-1:failed:onFailed')).toBe(false);
      expect(await ledger.markHookDone('magma', 'order-1', 'another')).toBe(true);
      expect((await ledger.find('magma', 'order-1'))?.hooksDone).toEqual(['magma:order-1:failed:onFailed', 'another']);
      expect(await ledger.markHookDone('magma', 'unknown', 'magma:unknown:failed:onFailed')).toBe(false);
      expect(await ledger.find('magma', 'unknown')).toBeUndefined();
    });

    it('keeps rows after closing and reopening', async () => {
      const first = await open();
      const final = await first.record(record('failed'));
      await first.record(record('tracking_cancelled', { orderId: 'order-2', workflowId: 'order:magma:order-2' }));
      await first.close();

      const reopened = await open();
      expect(await reopened.find('magma', 'order-1')).toEqual(final.row);
      const blocked = await reopened.record(record('succeeded', { occurredAt: LATER }));
      expect(blocked).toMatchObject({ recorded: false, row: { outcome: 'failed' } });
      const replaced = await reopened.record(record('succeeded', { orderId: 'order-2', workflowId: 'order:magma:order-2' }));
      expect(replaced).toMatchObject({ recorded: true, row: { outcome: 'succeeded', final: true } });
    });

    it('sees what another connection to the same database recorded', async () => {
      const writer = await open();
      const reader = await open();
      await writer.record(record('succeeded'));
      expect((await reader.find('magma', 'order-1'))?.outcome).toBe('succeeded');
      expect((await reader.record(record('failed', { occurredAt: LATER }))).recorded).toBe(false);
    });

    it('records one final outcome when first writes of one order race from two connections', async () => {
      const ledgers = [await open(), await open()];
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, index) =>
          (ledgers[index % 2] as Ledger).record(record(index % 2 === 0 ? 'succeeded' : 'failed', { occurredAt: `${LATER}#${index}` })),
        ),
      );
      expect(results.filter((result) => result.recorded)).toHaveLength(1);
      const winner = results.find((result) => result.recorded)?.row;
      for (const result of results) expect(result.row).toEqual(winner);
      expect(await ledgers[0]?.find('magma', 'order-1')).toEqual(winner);
    });
  });
});
