import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Progress } from './types';

export interface CancelRequest {
  reason?: string;
}

/** Stops tracking: the order ends `tracking_cancelled` without another poll. */
export const cancelSignal = defineSignal<[CancelRequest?]>('cancel');

/** A normalised observation from a push (webhook, WebSocket); validated before it is used. */
export const statusPushedSignal = defineSignal<[unknown]>('statusPushed');

export const progressQuery = defineQuery<Progress>('progress');
