/**
 * The order's signals and query, shared by the workflow (its handlers) and the library (client/),
 * which sends them. Built as `defineSignal`/`defineQuery` build them, so the library loads no
 * `@temporalio/workflow`: backend code that only starts and follows orders installs the client alone.
 */
import type { QueryDefinition, SignalDefinition } from '@temporalio/common';
import type { Progress } from '../domain/types';

function defineSignal<Args extends unknown[]>(name: string): SignalDefinition<Args> {
  return { type: 'signal', name } as SignalDefinition<Args>;
}

function defineQuery<Result>(name: string): QueryDefinition<Result> {
  return { type: 'query', name } as QueryDefinition<Result>;
}

export interface CancelRequest {
  reason?: string;
}

/** Stops tracking: the order ends `tracking_cancelled` without another poll. */
export const cancelSignal = defineSignal<[CancelRequest?]>('cancel');

/** A normalised observation from a push (webhook, WebSocket); validated before it is used. */
export const statusPushedSignal = defineSignal<[unknown]>('statusPushed');

/** A change its poll group saw (a GroupReport, validated before it is used): the provider's own answer. */
export const statusObservedSignal = defineSignal<[unknown]>('statusObserved');

/**
 * A `track` of an order that is already running (e.g. started by a push with the default max wait):
 * the merchant's reference and max wait, which the order takes as described in order-handlers.ts.
 */
export interface TrackRequest {
  reference: string | null;
  maxWaitMs: number;
}
export const trackRequestedSignal = defineSignal<[unknown]>('trackRequested');

/** Validates a trackRequested payload; the client sends parsed values, anything else is refused by name. */
export function parseTrackRequest(payload: unknown): { ok: true; request: TrackRequest } | { ok: false; error: string } {
  if (typeof payload !== 'object' || payload === null) return { ok: false, error: 'trackRequested payload must be an object' };
  const { reference, maxWaitMs } = payload as Record<string, unknown>;
  const referenceOk = reference === null || (typeof reference === 'string' && reference.length >= 1 && reference.length <= 256);
  if (!referenceOk) return { ok: false, error: 'trackRequested reference must be null or 1-256 characters' };
  if (typeof maxWaitMs !== 'number' || !Number.isFinite(maxWaitMs) || maxWaitMs <= 0) {
    return { ok: false, error: 'trackRequested maxWaitMs must be a positive number' };
  }
  return { ok: true, request: { reference: reference as string | null, maxWaitMs } };
}

export const progressQuery = defineQuery<Progress>('progress');
