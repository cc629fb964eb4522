import { type RecordDecision, decideRecord } from '../../storage/ledger/decide-record';
import type { LedgerRow, OutcomeRecord } from '../../storage/ledger/ledger';
import type { Observation, Outcome } from '../../domain/types';

const OBSERVATION: Observation = {
  status: 'VALID_CHANNEL_OPENING',
  phase: 'succeeded',
  recognised: true,
  rank: 100,
  nextWaitMs: 10_000,
  details: { channel_id: '800000x1x0' },
};
const FIRST_RUN = '2026-06-10T18:00:00.000Z';
const LATER_RUN = '2026-06-11T00:00:00.000Z';
const NOW = '2026-06-11T00:00:01.000Z';

function record(outcome: Outcome, occurredAt: string, workflowId = 'order:magma:order-1'): OutcomeRecord {
  return {
    provider: 'magma',
    orderId: 'order-1',
    reference: 'invoice-42',
    outcome,
    observation: OBSERVATION,
    transitions: [{ status: OBSERVATION.status, at: occurredAt, source: 'poll' }],
    workflowId,
    occurredAt,
  };
}

/** A row as a store holds it after some delivery and hooks: what a replacement must not carry over. */
function row(outcome: Outcome, final: boolean, occurredAt = FIRST_RUN): LedgerRow {
  return {
    orderKey: 'magma:order-1',
    provider: 'magma',
    orderId: 'order-1',
    reference: 'invoice-41',
    outcome,
    final,
    status: 'OLD_STATUS',
    observation: null,
    transitions: [],
    workflowId: 'order:magma:order-1',
    occurredAt,
    recordedAt: FIRST_RUN,
    callback: 'rejected',
    callbackBody: '{"old":true}',
    callbackDetail: '410 Gone',
    hooksDone: ['magma:order-1:timed_out:2026-06-10T18:00:00.000Z:onTimedOut'],
  };
}

type Expected = { action: 'insert' | 'replace' } | { action: 'keep'; recorded: boolean };

describe('decideRecord', () => {
  it.each<[string, LedgerRow | undefined, OutcomeRecord, Expected]>([
    ['no row, a final outcome: insert', undefined, record('succeeded', FIRST_RUN), { action: 'insert' }],
    ['no row, a non-final outcome: insert', undefined, record('timed_out', FIRST_RUN), { action: 'insert' }],
    ['final row, another final outcome: keep, refused', row('succeeded', true), record('failed', LATER_RUN), { action: 'keep', recorded: false }],
    ['final row, the same outcome again later: keep, refused', row('failed', true), record('failed', LATER_RUN), { action: 'keep', recorded: false }],
    ['final row, a non-final outcome: keep, refused', row('failed', true), record('tracking_cancelled', LATER_RUN), { action: 'keep', recorded: false }],
    ['final row, a retry of its own write: keep, recorded', row('succeeded', true), record('succeeded', FIRST_RUN), { action: 'keep', recorded: true }],
    ['non-final row, a retry of its own write: keep, recorded', row('timed_out', false), record('timed_out', FIRST_RUN), { action: 'keep', recorded: true }],
    ['non-final row, a final outcome: replace', row('timed_out', false), record('succeeded', LATER_RUN), { action: 'replace' }],
    ['non-final row, the same non-final outcome later: replace', row('timed_out', false), record('timed_out', LATER_RUN), { action: 'replace' }],
    ['non-final row, another non-final outcome: replace', row('tracking_cancelled', false), record('timed_out', LATER_RUN), { action: 'replace' }],
    // A retry is the same run and the same workflow time: the time alone names no write.
    ['non-final row, same time from another workflow: replace', row('timed_out', false), record('timed_out', FIRST_RUN, 'order:magma:other'), { action: 'replace' }],
    ['final row, same time from another workflow: keep, refused', row('succeeded', true), record('failed', FIRST_RUN, 'order:magma:other'), { action: 'keep', recorded: false }],
  ])('%s', (_name, existing, outcomeRecord, expected) => {
    const decision = decideRecord(existing, outcomeRecord, '{"body":1}', NOW);
    expect(decision).toMatchObject(expected);
    // Keeping hands back the stored row untouched; writing hands back the record's row.
    if (decision.action === 'keep') expect(decision.row).toBe(existing);
    else expect(decision.row).toMatchObject({ outcome: outcomeRecord.outcome, occurredAt: outcomeRecord.occurredAt });
  });

  it('builds the whole row of a new record from the record, its callback body and the time', () => {
    const decision = decideRecord(undefined, record('succeeded', FIRST_RUN), '{"body":1}', NOW);
    expect(decision).toEqual<RecordDecision>({
      action: 'insert',
      row: {
        orderKey: 'magma:order-1',
        provider: 'magma',
        orderId: 'order-1',
        reference: 'invoice-42',
        outcome: 'succeeded',
        final: true,
        status: 'VALID_CHANNEL_OPENING',
        observation: OBSERVATION,
        transitions: [{ status: 'VALID_CHANNEL_OPENING', at: FIRST_RUN, source: 'poll' }],
        workflowId: 'order:magma:order-1',
        occurredAt: FIRST_RUN,
        recordedAt: NOW,
        callback: 'pending',
        callbackBody: '{"body":1}',
        callbackDetail: null,
        hooksDone: [],
      },
    });
  });

  it('starts a replacing record with its own body, no callback detail and no hooks done', () => {
    const decision = decideRecord(row('timed_out', false), record('timed_out', LATER_RUN), '{"body":2}', NOW);
    expect(decision.action).toBe('replace');
    expect(decision.row).toMatchObject({
      reference: 'invoice-42',
      final: false,
      status: 'VALID_CHANNEL_OPENING',
      recordedAt: NOW,
      callback: 'pending',
      callbackBody: '{"body":2}',
      callbackDetail: null,
      hooksDone: [],
    });
  });

  it('keeps the first callback body when a retry brings another one', () => {
    const existing = row('timed_out', false);
    const decision = decideRecord(existing, record('timed_out', FIRST_RUN), '{"rebuilt":true}', NOW);
    expect(decision.row.callbackBody).toBe('{"old":true}');
  });

  it('records no callback when there is no body to send', () => {
    const decision = decideRecord(undefined, { ...record('tracking_cancelled', FIRST_RUN), observation: null }, null, NOW);
    expect(decision.row).toMatchObject({ callback: 'none', callbackBody: null, status: null, observation: null, final: false });
  });
});
