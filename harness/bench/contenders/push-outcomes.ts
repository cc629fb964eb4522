/**
 * Push → recorded outcome (push contender): for each order whose final status was pushed, from the
 * push's arrival at the ingress (the signal's `receivedAt`) to the ledger's `recorded_at` of the
 * final row. The confirming poll goes out as soon as the order's floor allows, so the figure that
 * says whether it waits for nothing else is over the pushes with no request for the order in the
 * floor before them (from the simulator's request log).
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { orderWorkflowId } from '../../../domain/ids';
import type { ProviderName } from '../../../domain/types';
import { millis } from '../action-count';

export interface FinalRow {
  provider: ProviderName;
  orderId: string;
  status: string | null;
  recordedAt: number;
}

export interface PushOutcome {
  orderId: string;
  provider: ProviderName;
  /** When the push arrived at the ingress (wall ms). */
  receivedAt: number;
  pushToRecordedMs: number;
  /** How long before the push the order's last request went out; null: none before it. */
  lastRequestBeforeMs: number | null;
}

/** The first push of the row's final status into the order's runs (the latest run's history holds it). */
export async function pushOutcomes(
  client: Client,
  rows: readonly FinalRow[],
  requestTimes: (provider: ProviderName, orderId: string) => number[],
  signalName: string,
): Promise<PushOutcome[]> {
  const outcomes: PushOutcome[] = [];
  for (const row of rows) {
    if (row.status === null) continue;
    let receivedAt: number | undefined;
    try {
      const history = await client.workflow.getHandle(orderWorkflowId(row.provider, row.orderId)).fetchHistory();
      receivedAt = firstPushOf(history.events ?? [], signalName, row.status);
    } catch {
      continue; // never started: nothing to measure
    }
    if (receivedAt === undefined) continue;
    const before = requestTimes(row.provider, row.orderId).filter((at) => at < receivedAt);
    outcomes.push({
      orderId: row.orderId,
      provider: row.provider,
      receivedAt,
      pushToRecordedMs: row.recordedAt - receivedAt,
      lastRequestBeforeMs: before.length === 0 ? null : receivedAt - Math.max(...before),
    });
  }
  return outcomes;
}

function firstPushOf(events: readonly { workflowExecutionSignaledEventAttributes?: unknown; eventTime?: unknown }[], signalName: string, status: string): number | undefined {
  for (const event of events) {
    const signal = event.workflowExecutionSignaledEventAttributes as
      | { signalName?: string | null; input?: { payloads?: unknown[] | null } | null }
      | undefined;
    if (signal?.signalName !== signalName) continue;
    const payload = signal.input?.payloads?.[0];
    const pushed = payload ? (defaultPayloadConverter.fromPayload(payload as never) as { status?: unknown; receivedAt?: unknown } | null) : null;
    if (typeof pushed?.status === 'string' && pushed.status.toLowerCase() === status.toLowerCase()) {
      return typeof pushed.receivedAt === 'number' ? pushed.receivedAt : millis(event.eventTime as never);
    }
  }
  return undefined;
}
