import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ledger, OutcomeRecord } from '../../activities/ledger/ledger';
import { openSqliteLedger } from '../../activities/ledger/sqlite-ledger';
import type { Observation, Outcome } from '../../workflows/types';

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

let directory: string;
let file: string;
const open: Ledger[] = [];

function openLedger(): Ledger {
  const ledger = openSqliteLedger(file);
  open.push(ledger);
  return ledger;
}

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'ledger-test-'));
  file = join(directory, 'nested', 'ledger.sqlite');
});

afterEach(async () => {
  for (const ledger of open.splice(0)) await ledger.close().catch(() => undefined);
  rmSync(directory, { recursive: true, force: true });
});

describe('openSqliteLedger', () => {
  it('records a final outcome with everything the row needs', async () => {
    const ledger = openLedger();
    const result = await ledger.record(record('succeeded'));
    expect(result.recorded).toBe(true);
    expect(result.row).toMatchObject({
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
      callback: 'none',
    });
    expect(Number.isFinite(Date.parse(result.row.recordedAt))).toBe(true);
  });

  it.each([
    ['succeeded then failed', 'succeeded', 'failed'],
    ['failed then succeeded', 'failed', 'succeeded'],
    ['succeeded then timed_out', 'succeeded', 'timed_out'],
    ['failed then tracking_cancelled', 'failed', 'tracking_cancelled'],
  ] as [string, Outcome, Outcome][])('records a final outcome once: %s keeps the first', async (_name, first, second) => {
    const ledger = openLedger();
    const original = await ledger.record(record(first));
    const later = await ledger.record(record(second, { workflowId: 'order:magma:order-1', occurredAt: '2026-06-11T00:00:00.000Z' }));
    expect(later.recorded).toBe(false);
    expect(later.row).toEqual(original.row);
    expect(await ledger.find('magma', 'order-1')).toEqual(original.row);
  });

  it.each([
    ['timed_out then succeeded', 'timed_out', 'succeeded', true],
    ['tracking_cancelled then failed', 'tracking_cancelled', 'failed', true],
    ['timed_out then tracking_cancelled', 'timed_out', 'tracking_cancelled', false],
    ['tracking_cancelled then timed_out', 'tracking_cancelled', 'timed_out', false],
  ] as [string, Outcome, Outcome, boolean][])('replaces a non-final outcome: %s', async (_name, first, second, final) => {
    const ledger = openLedger();
    await ledger.record(record(first));
    const later = await ledger.record(record(second, { reference: null, occurredAt: '2026-06-11T00:00:00.000Z' }));
    expect(later.recorded).toBe(true);
    expect(later.row).toMatchObject({ outcome: second, final, reference: null, occurredAt: '2026-06-11T00:00:00.000Z' });
    expect(await ledger.find('magma', 'order-1')).toEqual(later.row);
  });

  it('forgets the hooks done for a non-final record when a new record replaces it', async () => {
    const ledger = openLedger();
    await ledger.record(record('timed_out'));
    expect(await ledger.markHookDone('magma', 'order-1', 'magma:order-1:timed_out:first:onTimedOut')).toBe(true);
    const again = await ledger.record(record('timed_out', { occurredAt: '2026-06-11T00:00:00.000Z' }));
    expect(again.row.hooksDone).toEqual([]);
    expect((await ledger.find('magma', 'order-1'))?.hooksDone).toEqual([]);
  });

  it('treats a retry of the same non-final write as done, changing nothing', async () => {
    const ledger = openLedger();
    const first = await ledger.record(record('timed_out'));
    const retry = await ledger.record(record('timed_out'));
    expect(retry).toEqual({ recorded: true, row: first.row });
  });

  it('leaves the row of a final write unchanged when the write is retried', async () => {
    const ledger = openLedger();
    const first = await ledger.record(record('succeeded'));
    const retry = await ledger.record(record('succeeded'));
    expect(retry.row).toEqual(first.row);
    expect(await ledger.find('magma', 'order-1')).toEqual(first.row);
  });

  it('records an outcome without an observation', async () => {
    const ledger = openLedger();
    const result = await ledger.record(record('tracking_cancelled', { observation: null, transitions: [] }));
    expect(result.row).toMatchObject({ status: null, observation: null, transitions: [], final: false });
  });

  it('keeps orders apart by provider and order id', async () => {
    const ledger = openLedger();
    await ledger.record(record('succeeded'));
    await ledger.record(record('failed', { provider: 'houdini', workflowId: 'order:houdini:order-1' }));
    await ledger.record(record('timed_out', { orderId: 'order-2', workflowId: 'order:magma:order-2' }));
    expect((await ledger.find('magma', 'order-1'))?.outcome).toBe('succeeded');
    expect((await ledger.find('houdini', 'order-1'))?.outcome).toBe('failed');
    expect((await ledger.find('magma', 'order-2'))?.outcome).toBe('timed_out');
    expect(await ledger.find('magma', 'order-3')).toBeUndefined();
    expect(await ledger.find('ozzobit', 'order-1')).toBeUndefined();
  });

  it('keeps rows after closing and reopening the file', async () => {
    const first = openLedger();
    const final = await first.record(record('failed'));
    await first.record(record('tracking_cancelled', { orderId: 'order-2', workflowId: 'order:magma:order-2' }));
    await first.close();

    const reopened = openLedger();
    expect(await reopened.find('magma', 'order-1')).toEqual(final.row);
    const blocked = await reopened.record(record('succeeded', { occurredAt: '2026-06-12T00:00:00.000Z' }));
    expect(blocked.recorded).toBe(false);
    expect(blocked.row.outcome).toBe('failed');
    const replaced = await reopened.record(record('succeeded', { orderId: 'order-2', workflowId: 'order:magma:order-2' }));
    expect(replaced).toMatchObject({ recorded: true, row: { outcome: 'succeeded', final: true } });
  });

  it('sees what another connection to the same file recorded', async () => {
    const writer = openLedger();
    const reader = openLedger();
    await writer.record(record('succeeded'));
    expect((await reader.find('magma', 'order-1'))?.outcome).toBe('succeeded');
    const second = await reader.record(record('failed', { occurredAt: '2026-06-12T00:00:00.000Z' }));
    expect(second.recorded).toBe(false);
  });
});
