/**
 * How an order ended, as the library learns it without starting anything: from the ledger when the
 * process holds one (the ingress, `dev`), else from the order's last run in Temporal. A run that
 * completed went through fulfilment, so its outcome is the one the ledger holds: backend code and
 * the CLI need no ledger to know a final order (a `track` of it starts nothing, asks no provider).
 */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { Ledger, LedgerRow } from '../storage/ledger/ledger';
import { type Outcome, type ProviderName, type TrackOrderResult, isFinalOutcome } from '../domain/types';
import { orderWorkflowId } from '../domain/ids';
import { startMemoOf } from './start-memo';

export interface OrderEnd {
  outcome: Outcome;
  /** `succeeded` or `failed`: recorded once, ever. */
  final: boolean;
  status: string | null;
  reference: string | null;
  /** When the outcome was recorded: the ledger row's time, or the close of the run that recorded it. */
  recordedAt: string;
  /** The run's result, when the run told. */
  result?: TrackOrderResult;
  /** The ledger row, when the ledger told. */
  row?: LedgerRow;
  /** The last status the order held and its rank, when known: a push not ranked above it is old news. */
  held?: { status: string; rank: number };
}

/** The order's last outcome, or undefined while it runs, before its first run, or after a run that ended otherwise (terminated). */
export async function orderEnd(client: Client, ledger: Ledger | undefined, provider: ProviderName, orderId: string): Promise<OrderEnd | undefined> {
  if (ledger !== undefined) {
    const row = await ledger.find(provider, orderId);
    if (row === undefined) return undefined;
    const held = row.observation === null ? undefined : { status: row.observation.status, rank: row.observation.rank };
    return { outcome: row.outcome, final: row.final, status: row.status, reference: row.reference, recordedAt: row.recordedAt, row, ...(held ? { held } : {}) };
  }
  return lastRunEnd(client, orderWorkflowId(provider, orderId));
}

/** The outcome of the order's last run, if that run completed (describe reads the server's own state: no visibility lag). */
export async function lastRunEnd(client: Client, workflowId: string): Promise<OrderEnd | undefined> {
  let description;
  try {
    description = await client.workflow.getHandle(workflowId).describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
  if (description.status.name !== 'COMPLETED') return undefined;
  const result = (await client.workflow.getHandle(workflowId, description.runId).result()) as TrackOrderResult;
  return {
    outcome: result.outcome,
    final: isFinalOutcome(result.outcome),
    status: result.status,
    // Runs before results carried it: the reference the run was started with.
    reference: result.reference ?? startMemoOf(description.memo)?.reference ?? null,
    recordedAt: (description.closeTime ?? new Date()).toISOString(),
    result,
    ...(typeof result.rank === 'number' && result.status !== null ? { held: { status: result.status, rank: result.rank } } : {}),
  };
}
