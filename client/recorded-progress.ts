import type { LedgerRow } from '../storage/ledger/ledger';
import type { Progress } from '../domain/types';

/**
 * The progress of an order whose runs Temporal no longer keeps (past the namespace's retention) but
 * whose outcome the ledger holds: what was recorded, and the callback's state. Polls and pushes are
 * not recorded, so they read 0.
 */
export function recordedProgress(row: LedgerRow): Progress {
  return {
    provider: row.provider,
    orderId: row.orderId,
    reference: row.reference,
    status: row.status,
    phase: row.observation?.phase ?? null,
    recognised: row.observation?.recognised ?? true,
    outcome: row.outcome,
    polls: 0,
    pushes: 0,
    startedAt: row.transitions[0]?.at ?? row.occurredAt,
    lastPolledAt: null,
    nextPollAt: null,
    deadline: row.occurredAt,
    details: { ...(row.observation?.details ?? {}) },
    transitions: row.transitions.map((transition) => ({ ...transition })),
    transitionsDropped: 0,
    attention: null,
    fulfilment: { recorded: true, callback: row.callback },
  };
}
