/**
 * The `deliverCallback` activity: sends the recorded callback body until a 2xx, and marks the ledger.
 *
 * - A POST that succeeded is not sent again because the ledger write after it failed (a full disk
 *   re-sent the callback at every retry for 3 days: issue 29, R10). The mark is retried within the
 *   attempt; an attempt that still fails to mark remembers the delivery, in this process and in its
 *   heartbeat details (which the server hands to the next attempt on any worker), and the retry only
 *   marks. A worker killed between the POST and its heartbeat may still send again: the receiver's
 *   Idempotency-Key covers that.
 * - 401/403 are retried for UNAUTHORIZED_WINDOW_MS before they count as rejected: they are what a
 *   skewed worker clock or a secret rotated on one side only look like, both fixed by a person, not
 *   by the receiver (R7). Meanwhile the failure names the worker's clock skew against the Temporal
 *   server's (measured from the attempt's scheduled time) and `progress` shows it as attention
 *   (client/pending-callback.ts). A 4xx other than 401/403/408/429 ends as `rejected` at once.
 */
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { ErrorType } from '../workflows/error-types';
import { orderKey } from '../domain/ids';
import type { CallbackState } from '../domain/types';
import { type CallbackSender, callbackIdempotencyKey } from '../callbacks/callback-sender';
import { DEFAULT_TOLERANCE_SECONDS } from '../callbacks/signature';
import type { Ledger } from '../storage/ledger/ledger';
import type { FulfilmentStep } from './fulfilment-hooks';

/** Long enough for someone to fix a clock or a secret; then the callback shows as rejected. */
export const UNAUTHORIZED_WINDOW_MS = 6 * 3_600_000;
/** Skew worth naming: a fifth of what receivers are told to allow. */
const NOTABLE_SKEW_MS = (DEFAULT_TOLERANCE_SECONDS * 1000) / 5;
/** Tries of the ledger mark within one attempt, and the pause between them. */
const MARK_TRIES = 3;
const MARK_PAUSE_MS = 1_000;
/** Keys delivered by this process whose mark did not land yet: a few hundred bytes each. */
const MAX_REMEMBERED = 10_000;

interface DeliveredDetails {
  delivered: string;
}

function deliveredEarlier(details: unknown, key: string): boolean {
  return typeof details === 'object' && details !== null && (details as Partial<DeliveredDetails>).delivered === key;
}

/** "the worker's clock is 300 s ahead of the Temporal server's", or null when it is close enough. */
export function clockSkewText(skewMs: number): string | null {
  if (Math.abs(skewMs) < NOTABLE_SKEW_MS) return null;
  return `the worker's clock is ${Math.round(Math.abs(skewMs) / 1000)} s ${skewMs > 0 ? 'ahead of' : 'behind'} the Temporal server's (receivers allow ${DEFAULT_TOLERANCE_SECONDS} s)`;
}

export function createCallbackDelivery(ledger: Ledger, callbackSender: CallbackSender | undefined) {
  const deliveredHere = new Set<string>();

  async function mark(step: FulfilmentStep, state: CallbackState, detail: string | null): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await ledger.markCallback(step.provider, step.orderId, step.outcome, state, detail);
        return;
      } catch (error) {
        if (attempt >= MARK_TRIES) throw error;
        await new Promise((resolve) => setTimeout(resolve, MARK_PAUSE_MS * attempt));
      }
    }
  }

  return async function deliverCallback(step: FulfilmentStep): Promise<CallbackState> {
    const context = Context.current();
    // The server stamped this attempt's schedule time with its clock: the difference (plus the wait
    // on the task queue, small) is how far this worker's clock is off.
    const skewMs = Date.now() - context.info.currentAttemptScheduledTimestampMs;
    const row = await ledger.find(step.provider, step.orderId);
    if (row === undefined || row.outcome !== step.outcome) return 'none';
    if (row.callback !== 'pending' || row.callbackBody === null || callbackSender === undefined) return row.callback;
    const key = callbackIdempotencyKey(row);
    const logFields = { orderKey: orderKey(step.provider, step.orderId), idempotencyKey: key };

    if (!deliveredHere.has(key) && !deliveredEarlier(context.info.heartbeatDetails, key)) {
      const result = await callbackSender.send(row.callbackBody, key);
      if (result.kind === 'rejected') {
        await mark(step, 'rejected', result.detail);
        log.warn('callback rejected', { ...logFields, detail: result.detail });
        return 'rejected';
      }
      if (result.kind === 'unauthorized') {
        const refusingForMs = context.info.currentAttemptScheduledTimestampMs - context.info.scheduledTimestampMs;
        const skew = clockSkewText(skewMs);
        const detail = `${result.detail}: the receiver refused the signature${skew === null ? '' : `; ${skew}`}; check FULFILLMENT_WEBHOOK_SECRET and the worker's clock`;
        if (refusingForMs >= UNAUTHORIZED_WINDOW_MS) {
          await mark(step, 'rejected', detail);
          log.warn('callback rejected', { ...logFields, detail });
          return 'rejected';
        }
        await mark(step, 'pending', detail);
        log.error('callback refused (401/403); retrying', { ...logFields, detail, clockSkewMs: skewMs });
        throw ApplicationFailure.create({ type: ErrorType.callbackUnauthorized, message: detail });
      }
      if (result.kind === 'retry') {
        await mark(step, 'pending', result.detail);
        throw ApplicationFailure.create({ type: ErrorType.callbackUndelivered, message: result.detail, nextRetryDelay: result.retryAfterMs });
      }
      if (deliveredHere.size >= MAX_REMEMBERED) deliveredHere.clear();
      deliveredHere.add(key);
      context.heartbeat({ delivered: key } satisfies DeliveredDetails);
    }
    await mark(step, 'delivered', null);
    deliveredHere.delete(key);
    log.info('callback delivered', logFields);
    return 'delivered';
  };
}
