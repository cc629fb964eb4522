/** Behaviour found wrong by review and fixed; each test names what was wrong. */
import { openLedger } from '../../storage/open-database';
import { toMagmaObservation } from '../../providers/magma/magma-client';
import { kindForHttpStatus, parseRetryAfter } from '../../providers/provider-error';
import { renderCurrentDetails } from '../../workflows/current-details';
import { resolveSettings } from '../../workflows/settings';
import { initialState } from '../../workflows/state';
import type { OutcomeRecord } from '../../storage/ledger/ledger';

const NOW = Date.parse('2026-06-10T18:00:00Z');

test('a retried final write reports recorded:true like its first attempt', async () => {
  const ledger = await openLedger('sqlite::memory:');
  const record: OutcomeRecord = {
    provider: 'magma', orderId: 'o1', reference: null, outcome: 'succeeded', observation: null,
    transitions: [], workflowId: 'order:magma:o1', occurredAt: '2026-06-10T18:00:00.000Z',
  };
  expect((await ledger.record(record)).recorded).toBe(true);
  expect((await ledger.record(record)).recorded).toBe(true);
  expect((await ledger.record({ ...record, occurredAt: '2026-06-10T19:00:00.000Z', outcome: 'failed' })).recorded).toBe(false);
  await ledger.close();
});

test("Magma's phase timeout shows as the provider expiry countdown", () => {
  const state = initialState(NOW, 3_600_000);
  state.current = toMagmaObservation(
    { id: 'o1', status: 'WAITING_FOR_BUYER_PAYMENT', timeout: new Date(NOW + 245_000).toISOString() },
    NOW,
  );
  expect(renderCurrentDetails(state, NOW)).toContain('Provider expiry: in 4m 05s');
});

test.each([
  [{ minRequestGapMs: 0, attentionRecheckMs: 0 }, 1, 1],
  [{ minRequestGapMs: -100, attentionRecheckMs: -500 }, 1, 1],
  [{ minRequestGapMs: Number.NaN, attentionRecheckMs: Number.NaN }, 5_000, 300_000],
])('resolveSettings(%j) keeps the recheck at or above the raised floor', (overrides, gap, recheck) => {
  const settings = resolveSettings(overrides);
  expect(settings.minRequestGapMs).toBe(gap);
  expect(settings.attentionRecheckMs).toBe(recheck);
  expect(Number.isFinite(resolveSettings({ maxTransitions: Number.NaN }).maxTransitions)).toBe(true);
});

test.each(['later 5', '-5', '0x10', '1e3', '5.5'])('Retry-After %j is not a delay', (value) => {
  expect(parseRetryAfter(value, NOW)).toBeUndefined();
});

test.each([
  [400, 'rejected'],
  [422, 'rejected'],
  [408, 'unavailable'],
  [409, 'unavailable'],
  [401, 'credentials_refused'],
  [429, 'rate_limited'],
  [503, 'unavailable'],
])('HTTP %i is a %s error', (status, kind) => {
  expect(kindForHttpStatus(status)).toBe(kind);
});
