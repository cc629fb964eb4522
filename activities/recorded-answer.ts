/**
 * A run started for an order whose final outcome the ledger already holds — its runs are past the
 * namespace's retention, so no client could read them, or a start raced the last run's close —
 * answers its first poll from the ledger: no provider request goes out, and the run ends with the
 * recorded outcome (recordOutcome then keeps the row: nothing is fulfilled twice).
 */
import { log } from '@temporalio/activity';
import type { Ledger, LedgerRow } from '../storage/ledger/ledger';
import type { Observation } from '../domain/types';
import { orderKey } from '../domain/ids';
import type { ChangeAnswer, PollUntilChangedRequest } from './poll-requests';

/**
 * Asked on a wait's first request while the order knows no status (a new run) or holds a pushed one
 * not yet confirmed (a run a push started): where a run of a final order can begin.
 */
export async function recordedAnswer(ledger: Ledger, request: PollUntilChangedRequest): Promise<ChangeAnswer | undefined> {
  if (request.knownStatus !== null && request.minRank === null) return undefined;
  let row: LedgerRow | undefined;
  try {
    row = await ledger.find(request.provider, request.orderId);
  } catch (error) {
    // Only a shortcut: the provider's answer and recordOutcome's rule still hold without it.
    log.warn('could not read the ledger before the first poll; asking the provider', { orderKey: orderKey(request.provider, request.orderId), error: String(error) });
    return undefined;
  }
  if (row === undefined || !row.final) return undefined;
  log.info('the ledger holds this order\'s final outcome; not asking the provider', { orderKey: row.orderKey, outcome: row.outcome });
  return { observation: recordedObservation(row), requests: 0 };
}

/** The final observation the ledger recorded (a row without one: its outcome as the phase). */
function recordedObservation(row: LedgerRow): Observation {
  const phase = row.outcome === 'succeeded' ? 'succeeded' : 'failed';
  if (row.observation !== null && row.observation.phase === phase) return { ...row.observation, nextWaitMs: 0 };
  return { status: row.status ?? row.outcome.toUpperCase(), phase, recognised: true, rank: Number.MAX_SAFE_INTEGER, nextWaitMs: 0, details: row.observation?.details ?? {} };
}
