import type { Outcome, ProviderName, Transition, Observation, CallbackState } from '../../workflows/types';

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
}

export interface RecordResult {
  /** False when a final outcome was already there; nothing changed. */
  recorded: boolean;
  row: LedgerRow;
}

/** `succeeded` and `failed` are the provider's verdicts: recorded once, ever. */
export function isFinalOutcome(outcome: Outcome): boolean {
  return outcome === 'succeeded' || outcome === 'failed';
}

/**
 * One row per order, keyed `<provider>:<orderId>`. A final row never changes; a non-final one
 * (timed_out, tracking_cancelled) is replaced when the order is tracked again and ends.
 */
export interface Ledger {
  record(record: OutcomeRecord): Promise<RecordResult>;
  find(provider: ProviderName, orderId: string): Promise<LedgerRow | undefined>;
  close(): Promise<void>;
}
