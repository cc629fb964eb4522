import type { CallbackState, Observation, Outcome, ProviderName, Transition } from '../../domain/types';
import type { AnswerStore } from './provider-answers';

/** What the workflow hands to recordOutcome: everything the ledger row needs. */
export interface OutcomeRecord {
  provider: ProviderName;
  orderId: string;
  reference: string | null;
  outcome: Outcome;
  observation: Observation | null;
  transitions: Transition[];
  workflowId: string;
  /** Workflow time of the outcome, so every retry writes the same row. */
  occurredAt: string;
}

export interface LedgerRow {
  orderKey: string;
  provider: ProviderName;
  orderId: string;
  reference: string | null;
  outcome: Outcome;
  final: boolean;
  status: string | null;
  observation: Observation | null;
  transitions: Transition[];
  workflowId: string;
  occurredAt: string;
  recordedAt: string;
  callback: CallbackState;
  /** The callback body, fixed when the outcome was recorded: every retry sends these bytes. */
  callbackBody: string | null;
  /** Why the receiver rejected the callback, or the last delivery error. */
  callbackDetail: string | null;
  /** Idempotency keys of the hooks that have run for this record (emptied when a new record replaces a non-final one). */
  hooksDone: string[];
}

export interface RecordResult {
  /** False when a final outcome was already there; nothing changed. */
  recorded: boolean;
  row: LedgerRow;
}

export { isFinalOutcome } from '../../domain/types';

/**
 * One row per order, keyed `<provider>:<orderId>`. A final row never changes its outcome; a
 * non-final one (timed_out, tracking_cancelled) is replaced when the order is tracked again and ends.
 * Every store records by decideRecord (decide-record.ts), and test/integration/storage-contract.test.ts
 * holds each store to the same cases. The same database keeps the audit trail (provider-answers.ts).
 */
export interface Ledger extends AnswerStore {
  /** `callbackBody` (when callbacks are configured) is stored with the outcome and never rebuilt. */
  record(record: OutcomeRecord, callbackBody?: string | null): Promise<RecordResult>;
  find(provider: ProviderName, orderId: string): Promise<LedgerRow | undefined>;
  /** Marks the callback of the row's current outcome; a row that moved on to another outcome is left alone. */
  markCallback(provider: ProviderName, orderId: string, outcome: Outcome, state: CallbackState, detail: string | null): Promise<void>;
  /** Adds a hook's idempotency key; false when it was already there (the hook ran before). */
  markHookDone(provider: ProviderName, orderId: string, hookKey: string): Promise<boolean>;
  /** Closes the database the ledger was opened with (openLedger, openDatabase: storage/database.ts). */
  close(): Promise<void>;
}

/** The ledger a database hands out: it also reads every row at once, for checks over a whole run (the harness, the bench). */
export interface StoredLedger extends Ledger {
  allRows(): Promise<LedgerRow[]>;
}
