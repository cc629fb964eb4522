/**
 * The audit trail's writer over an in-memory store that counts its reads: an unchanged answer costs
 * no read once the writer knows the order's last digest; a change is written; a failing store never
 * fails the caller; old answers are pruned at most every ten minutes.
 */
import { type AnswerToKeep, answerDigest, createAuditTrail } from '../../activities/audit/audit-trail';
import { REDACTED } from '../../activities/audit/redact-answer';
import type { Observation } from '../../domain/types';
import type { AnswerStore, KeptAnswer } from '../../storage/ledger/provider-answers';

function memoryStore() {
  const kept: KeptAnswer[] = [];
  const calls = { reads: 0, writes: 0, prunes: [] as string[] };
  let failing = false;
  const store: AnswerStore = {
    async keepAnswer(answer, maxPerOrder) {
      calls.writes += 1;
      if (failing) throw new Error('database is down');
      const mine = kept.filter((entry) => entry.orderId === answer.orderId);
      if (mine.at(-1)?.digest === answer.digest) return false;
      kept.push(answer);
      while (kept.filter((entry) => entry.orderId === answer.orderId).length > maxPerOrder) kept.splice(kept.findIndex((entry) => entry.orderId === answer.orderId), 1);
      return true;
    },
    async lastAnswerDigest(_provider, orderId) {
      calls.reads += 1;
      if (failing) throw new Error('database is down');
      return kept.filter((entry) => entry.orderId === orderId).at(-1)?.digest;
    },
    async answers(_provider, orderId) {
      return kept.filter((entry) => entry.orderId === orderId);
    },
    async pruneAnswers(before) {
      calls.prunes.push(before);
      return 0;
    },
  };
  return { store, kept, calls, fail: (value: boolean) => (failing = value) };
}

function observation(status: string, details: Observation['details'] = {}, nextWaitMs = 5_000): Observation {
  return { status, phase: 'in_flight', recognised: true, rank: 1, nextWaitMs, details };
}

function answerOf(status: string, details: Observation['details'] = {}, extra: Record<string, unknown> = {}): AnswerToKeep {
  return { provider: 'ozzobit', orderId: 'o-1', source: 'poll', observation: observation(status, details), answer: { id: 'o-1', status, ...details, ...extra } };
}

test('the digest is of the status and details only: a new suggested wait is no change, a new detail is', () => {
  expect(answerDigest(observation('PROCESSING', { a: 1, b: 2 }, 5_000))).toBe(answerDigest(observation('PROCESSING', { b: 2, a: 1 }, 60_000)));
  expect(answerDigest(observation('PROCESSING', { confirmations: 1 }))).not.toBe(answerDigest(observation('PROCESSING', { confirmations: 2 })));
});

test('keeps each change once, redacted and whole; an unchanged answer costs no database read', async () => {
  const { store, kept, calls } = memoryStore();
  let now = Date.parse('2026-12-01T10:00:00.000Z');
  const audit = createAuditTrail(store, { retentionMs: 86_400_000, secrets: ['sk_test_secret_1'], now: () => now });

  expect(await audit.keep(answerOf('PROCESSING', {}, { partnerKey: 'x', apiKey: 'sk_test_secret_1', note: 'key sk_test_secret_1' }))).toBe(true);
  expect(calls.reads).toBe(1);
  for (let poll = 0; poll < 5; poll += 1) {
    now += 5_000;
    expect(await audit.keep(answerOf('PROCESSING'))).toBe(false);
  }
  expect(calls.reads).toBe(1);
  expect(calls.writes).toBe(1);
  expect(await audit.keep(answerOf('PENDING_DELIVERY', { transactionHash: '0xabc' }))).toBe(true);
  expect(calls.reads).toBe(1);

  expect(kept.map((entry) => [entry.status, entry.source, entry.receivedAt])).toEqual([
    ['PROCESSING', 'poll', '2026-12-01T10:00:00.000Z'],
    ['PENDING_DELIVERY', 'poll', '2026-12-01T10:00:25.000Z'],
  ]);
  expect(kept[0]?.answer).toEqual({ id: 'o-1', status: 'PROCESSING', partnerKey: 'x', apiKey: REDACTED, note: `key ${REDACTED}` });
});

test('a writer that never saw the order (a restart, another worker) reads the last digest once', async () => {
  const { store, calls } = memoryStore();
  await createAuditTrail(store, { retentionMs: 1_000, secrets: [] }).keep(answerOf('PROCESSING'));
  const restarted = createAuditTrail(store, { retentionMs: 1_000, secrets: [] });
  expect(await restarted.keep(answerOf('PROCESSING'))).toBe(false);
  expect(await restarted.keep(answerOf('PROCESSING'))).toBe(false);
  expect(calls.reads).toBe(2);
  expect(calls.writes).toBe(1);
});

test('a failing store is reported and never fails the caller; the change is kept once the store is back', async () => {
  const { store, kept, fail } = memoryStore();
  const reported: string[] = [];
  const audit = createAuditTrail(store, { retentionMs: 1_000, secrets: [], report: (message, fields) => reported.push(`${message} ${String(fields.orderKey)}`) });
  fail(true);
  await expect(audit.keep(answerOf('PROCESSING'))).resolves.toBe(false);
  expect(reported).toEqual(['audit trail could not keep an answer ozzobit:o-1']);
  fail(false);
  await expect(audit.keep(answerOf('PROCESSING'))).resolves.toBe(true);
  expect(kept).toHaveLength(1);
});

test('answers older than the retention are pruned after a write, at most every ten minutes', async () => {
  const { store, calls } = memoryStore();
  let now = Date.parse('2026-12-01T10:00:00.000Z');
  const audit = createAuditTrail(store, { retentionMs: 3_600_000, secrets: [], now: () => now });
  await audit.keep(answerOf('A'));
  now += 60_000;
  await audit.keep(answerOf('B'));
  now += 10 * 60_000;
  await audit.keep(answerOf('C'));
  expect(calls.prunes).toEqual(['2026-12-01T09:00:00.000Z', '2026-12-01T09:11:00.000Z']);
});

test('a huge answer is kept as an excerpt', async () => {
  const { store, kept } = memoryStore();
  await createAuditTrail(store, { retentionMs: 1_000, secrets: [] }).keep(answerOf('A', {}, { page: 'x'.repeat(300_000) }));
  expect(kept[0]?.answer).toMatchObject({ truncated: true, characters: expect.any(Number), excerpt: expect.stringContaining('"status":"A"') });
});
