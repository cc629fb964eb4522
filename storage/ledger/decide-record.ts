import { orderKey } from '../../domain/ids';
import { isFinalOutcome } from '../../domain/types';
import type { LedgerRow, OutcomeRecord } from './ledger';

/**
 * What a store writes for a record. `keep` writes nothing: `recorded` says whether the record is
 * already the row (a retry) or was refused (a final outcome is there).
 */
export type RecordDecision =
  | { action: 'insert' | 'replace'; row: LedgerRow }
  | { action: 'keep'; recorded: boolean; row: LedgerRow };

/**
 * The rule of a record, the same for every store: one row per order, keyed `<provider>:<orderId>`.
 * A retry of the row's own record (same run, same workflow time) changes nothing. A final row
 * (succeeded/failed) keeps its outcome for ever. Otherwise the record becomes the row: its callback
 * body fixed now, with no callback detail and no hooks done (those were the replaced record's).
 * Pure: the store reads `existing` and writes the decision inside one transaction.
 */
export function decideRecord(
  existing: LedgerRow | undefined,
  record: OutcomeRecord,
  callbackBody: string | null,
  recordedAt: string,
): RecordDecision {
  // Checked before finality: a retried final write must answer recorded, as its first attempt did.
  if (existing !== undefined && existing.workflowId === record.workflowId && existing.occurredAt === record.occurredAt) {
    return { action: 'keep', recorded: true, row: existing };
  }
  if (existing?.final === true) return { action: 'keep', recorded: false, row: existing };
  return { action: existing === undefined ? 'insert' : 'replace', row: newRow(record, callbackBody, recordedAt) };
}

/** What a record says of the order, as both its ledger row and its callback body carry it. */
export function outcomeFacts(record: OutcomeRecord) {
  return {
    provider: record.provider,
    orderId: record.orderId,
    reference: record.reference,
    outcome: record.outcome,
    final: isFinalOutcome(record.outcome),
    status: record.observation?.status ?? null,
    workflowId: record.workflowId,
    occurredAt: record.occurredAt,
  };
}

function newRow(record: OutcomeRecord, callbackBody: string | null, recordedAt: string): LedgerRow {
  return {
    orderKey: orderKey(record.provider, record.orderId),
    ...outcomeFacts(record),
    observation: record.observation,
    transitions: record.transitions,
    recordedAt,
    callback: callbackBody === null ? 'none' : 'pending',
    callbackBody,
    callbackDetail: null,
    hooksDone: [],
  };
}
