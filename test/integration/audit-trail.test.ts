/**
 * The audit trail over both ledger backends (SQLite on a real file, PostgreSQL on a real throwaway
 * cluster), each opened through openLedger as DATABASE_URL names it: what the store keeps and trims,
 * that two writers never keep one change twice, that retention deletes old answers, and how people
 * read it: `order-tracker status <provider> <orderId> --history` (a real CLI process) and
 * `GET /orders/:provider/:orderId/history`, with bad arguments refused as bad input.
 */
import { type AnswerToKeep, createAuditTrail } from '../../activities/audit/audit-trail';
import { REDACTED } from '../../activities/audit/redact-answer';
import type { OrderTracker } from '../../client/order-tracker';
import type { Observation } from '../../domain/types';
import type { Ledger } from '../../storage/ledger/ledger';
import { openLedger } from '../../storage/open-database';
import type { KeptAnswer } from '../../storage/ledger/provider-answers';
import { buildIngress } from '../../workers/ingress';
import { cleanEnvironment, runCli } from '../../harness/cli-process';
import { type LedgerBackend, type LedgerDatabase, postgresBackend, sqliteBackend } from '../helpers/ledger-backends';

/** Installing PostgreSQL from Debian on a fresh machine takes a while. */
const START_TIMEOUT_MS = 12 * 60_000;
const TOKEN = 'history-token-42';

function answer(status: string, receivedAt: string, changes: Partial<KeptAnswer> = {}): KeptAnswer {
  return { provider: 'houdini', orderId: 'h-1', source: 'poll', status, digest: `digest-${status}`, answer: { houdiniId: 'h-1', status }, receivedAt, ...changes };
}

function observation(status: string): Observation {
  return { status, phase: 'in_flight', recognised: true, rank: 1, nextWaitMs: 30_000, details: { statusCode: status } };
}

describe.each([sqliteBackend(), postgresBackend()])('the audit trail on $name', (backend: LedgerBackend) => {
  let database: LedgerDatabase;
  const opened: Ledger[] = [];

  async function open(): Promise<Ledger> {
    const ledger = await openLedger(database.url);
    opened.push(ledger);
    return ledger;
  }

  beforeAll(() => backend.start(), START_TIMEOUT_MS);
  afterAll(() => backend.stop());
  beforeEach(async () => {
    database = await backend.freshDatabase();
  });
  afterEach(async () => {
    for (const ledger of opened.splice(0)) await ledger.close().catch(() => undefined);
  });

  it('keeps an answer unless the order\'s last one has its digest, and trims each order to its newest', async () => {
    const ledger = await open();
    expect(await ledger.keepAnswer(answer('NEW', '2026-12-01T10:00:00.000Z'), 3)).toBe(true);
    expect(await ledger.keepAnswer(answer('NEW', '2026-12-01T10:00:05.000Z'), 3)).toBe(false);
    for (const [index, status] of ['WAITING', 'CONFIRMING', 'EXCHANGING', 'FINISHED'].entries()) {
      expect(await ledger.keepAnswer(answer(status, `2026-12-01T10:0${index + 1}:00.000Z`), 3)).toBe(true);
    }
    // Another order is not trimmed by this one.
    await ledger.keepAnswer(answer('NEW', '2026-12-01T10:00:00.000Z', { orderId: 'h-2' }), 3);
    expect((await ledger.answers('houdini', 'h-1')).map((kept) => kept.status)).toEqual(['CONFIRMING', 'EXCHANGING', 'FINISHED']);
    expect((await ledger.answers('houdini', 'h-1', 2)).map((kept) => kept.status)).toEqual(['EXCHANGING', 'FINISHED']);
    expect(await ledger.answers('houdini', 'h-2')).toEqual([answer('NEW', '2026-12-01T10:00:00.000Z', { orderId: 'h-2' })]);
    expect(await ledger.lastAnswerDigest('houdini', 'h-1')).toBe('digest-FINISHED');
    expect(await ledger.lastAnswerDigest('houdini', 'nothing')).toBeUndefined();
  });

  it('two workers keeping the same change at once keep it once', async () => {
    const ledgers = [await open(), await open()];
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, index) => (ledgers[index % 2] as Ledger).keepAnswer(answer('CONFIRMING', `2026-12-01T10:00:0${index}.000Z`), 100)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await ledgers[0]?.answers('houdini', 'h-1')).toHaveLength(1);
  });

  it('deletes answers older than the retention as the writer keeps new ones', async () => {
    const ledger = await open();
    let now = Date.parse('2026-12-01T10:00:00.000Z');
    const audit = createAuditTrail(ledger, { retentionMs: 3_600_000, secrets: [], now: () => now });
    const keep = (status: string, orderId = 'h-1'): Promise<boolean> =>
      audit.keep({ provider: 'houdini', orderId, source: 'push', observation: observation(status), answer: { status } } satisfies AnswerToKeep);
    expect(await keep('WAITING')).toBe(true);
    expect(await keep('WAITING', 'h-old')).toBe(true);
    now += 2 * 3_600_000;
    expect(await keep('CONFIRMING')).toBe(true);
    expect((await ledger.answers('houdini', 'h-1')).map((kept) => kept.status)).toEqual(['CONFIRMING']);
    expect(await ledger.answers('houdini', 'h-old')).toEqual([]);
    expect(await ledger.pruneAnswers('2026-12-01T11:00:00.000Z')).toBe(0);
  });

  it('`status --history` prints the kept answers, as text and as JSON; bad arguments are bad input', async () => {
    const ledger = await open();
    const audit = createAuditTrail(ledger, { retentionMs: 86_400_000, secrets: ['houdini-secret-77'] });
    const keep = (status: string, source: AnswerToKeep['source'], extra: Record<string, unknown>) =>
      audit.keep({ provider: 'houdini', orderId: 'h-cli', source, observation: observation(status), answer: { houdiniId: 'h-cli', status, ...extra } });
    await keep('WAITING', 'poll', { inAmount: 1.5, echo: 'partner houdini-secret-77' });
    await keep('CONFIRMING', 'push', { depositTx: '0xabc' });
    const env = cleanEnvironment({ DATABASE_URL: database.url });

    const text = await runCli(['status', 'houdini', 'h-cli', '--history'], env);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toBe('houdini:h-cli: 2 provider answers that changed the order, oldest first');
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z {2}poll {3}WAITING$/);
    expect(JSON.parse(lines[2] ?? '')).toEqual({ houdiniId: 'h-cli', status: 'WAITING', inAmount: 1.5, echo: `partner ${REDACTED}` });
    expect(lines[3]).toMatch(/ {2}push {3}CONFIRMING$/);

    const json = await runCli(['status', 'houdini', 'h-cli', '--history', '--json', '--limit', '1'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      provider: 'houdini',
      orderId: 'h-cli',
      answers: [{ receivedAt: expect.any(String), source: 'push', status: 'CONFIRMING', answer: { houdiniId: 'h-cli', status: 'CONFIRMING', depositTx: '0xabc' } }],
    });

    const refused = await Promise.all([
      runCli(['status', 'houdini', 'h-cli', '--history', '--limit', '0'], env),
      runCli(['status', 'houdini', 'h-cli', '--history', '--limit', 'ten'], env),
      runCli(['status', 'houdini', 'h-cli', '--history', '--follow'], env),
      runCli(['status', 'nowhere', 'h-cli', '--history'], env),
      runCli(['status', 'houdini', '../etc', '--history'], env),
    ]);
    expect(refused.map((run) => run.code)).toEqual([2, 2, 2, 2, 2]);
    expect(refused.map((run) => run.stderr)).toEqual([
      expect.stringContaining('invalid --limit "0": use a whole number from 1 to 100'),
      expect.stringContaining('invalid --limit "ten"'),
      expect.stringContaining('--history and --follow do not go together'),
      expect.stringContaining('unknown provider "nowhere"'),
      expect.stringContaining('invalid order id "../etc"'),
    ]);
    const missing = await runCli(['status', 'houdini', 'h-none', '--history'], env);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('no provider answer is kept for houdini:h-none');
  });

  it('GET /orders/:provider/:orderId/history answers the trail as JSON; bad arguments are 400, none kept 404', async () => {
    const ledger = await open();
    await ledger.keepAnswer(answer('WAITING', '2026-12-01T10:00:00.000Z'), 100);
    await ledger.keepAnswer(answer('FINISHED', '2026-12-01T10:05:00.000Z', { source: 'push' }), 100);
    const app = buildIngress({ tracker: {} as OrderTracker, token: TOKEN, answers: ledger });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const get = async (path: string, token = TOKEN) => {
      const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
      return { statusCode: response.status, body: (await response.json()) as { answers?: unknown[]; error?: string } };
    };
    try {
      const all = await get('/orders/houdini/h-1/history');
      expect(all.statusCode).toBe(200);
      expect(all.body).toEqual({
        provider: 'houdini',
        orderId: 'h-1',
        answers: [
          { receivedAt: '2026-12-01T10:00:00.000Z', source: 'poll', status: 'WAITING', answer: { houdiniId: 'h-1', status: 'WAITING' } },
          { receivedAt: '2026-12-01T10:05:00.000Z', source: 'push', status: 'FINISHED', answer: { houdiniId: 'h-1', status: 'FINISHED' } },
        ],
      });
      expect((await get('/orders/houdini/h-1/history?limit=1')).body.answers).toHaveLength(1);
      const bad = await Promise.all([
        get('/orders/houdini/h-1/history?limit=101'),
        get('/orders/houdini/h-1/history?since=yesterday'),
        get('/orders/nowhere/h-1/history'),
      ]);
      expect(bad.map((response) => response.statusCode)).toEqual([400, 400, 400]);
      expect(bad.map((response) => response.body.error)).toEqual([
        'invalid limit "101": use a whole number from 1 to 100',
        'unknown query parameter since: only limit',
        expect.stringContaining('unknown provider "nowhere"'),
      ]);
      expect((await get('/orders/houdini/h-none/history')).statusCode).toBe(404);
      expect((await get('/orders/houdini/h-1/history', 'wrong')).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });
});
