import type { CallbackState, Outcome, ProviderName } from '../../domain/types';
import type { LedgerRow } from './ledger';

/** The table both ledgers share; column types differ only where the databases do. */
export interface StoredRow {
  order_key: string;
  provider: string;
  order_id: string;
  reference: string | null;
  outcome: string;
  final: number | boolean;
  status: string | null;
  observation: string | null;
  transitions: string;
  workflow_id: string;
  occurred_at: string;
  recorded_at: string;
  callback: string;
  callback_body: string | null;
  callback_detail: string | null;
  hooks_done: string;
}

/** Every column, in the order the stores write them. */
export const STORED_COLUMNS = [
  'order_key',
  'provider',
  'order_id',
  'reference',
  'outcome',
  'final',
  'status',
  'observation',
  'transitions',
  'workflow_id',
  'occurred_at',
  'recorded_at',
  'callback',
  'callback_body',
  'callback_detail',
  'hooks_done',
] as const satisfies readonly (keyof StoredRow)[];

/** The columns of a row; `final` stays a boolean, SQLite's store turns it into 0/1. */
export function toStoredRow(row: LedgerRow): StoredRow {
  return {
    order_key: row.orderKey,
    provider: row.provider,
    order_id: row.orderId,
    reference: row.reference,
    outcome: row.outcome,
    final: row.final,
    status: row.status,
    observation: row.observation === null ? null : JSON.stringify(row.observation),
    transitions: JSON.stringify(row.transitions),
    workflow_id: row.workflowId,
    occurred_at: row.occurredAt,
    recorded_at: row.recordedAt,
    callback: row.callback,
    callback_body: row.callbackBody,
    callback_detail: row.callbackDetail,
    hooks_done: JSON.stringify(row.hooksDone),
  };
}

export function toLedgerRow(row: StoredRow): LedgerRow {
  return {
    orderKey: row.order_key,
    provider: row.provider as ProviderName,
    orderId: row.order_id,
    reference: row.reference,
    outcome: row.outcome as Outcome,
    final: row.final === 1 || row.final === true,
    status: row.status,
    observation: row.observation === null ? null : JSON.parse(row.observation),
    transitions: JSON.parse(row.transitions),
    workflowId: row.workflow_id,
    occurredAt: row.occurred_at,
    recordedAt: row.recorded_at,
    callback: row.callback as CallbackState,
    callbackBody: row.callback_body,
    callbackDetail: row.callback_detail,
    hooksDone: JSON.parse(row.hooks_done),
  };
}
