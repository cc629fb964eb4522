/**
 * How the library starts an order's workflow: by the workflow's type name (without loading workflow
 * code), with the options every start shares (id, reuse policy, memo, search attributes, summary),
 * and the workflow's own durations at a sandbox time scale.
 */
import { DEFAULT_SETTINGS, type TrackingSettings } from '../workflows/settings';
import { ORDER_DEADLINE, ORDER_PROVIDER } from '../workflows/search-attributes';
import type { TrackOrderInput } from '../workflows/track-order';
import { orderWorkflowId } from '../domain/ids';
import type { ProviderName } from '../domain/types';
import type { StartMemo } from './start-memo';
import type { OrderTrackerOptions } from './tracker-types';

/** The workflow's type, by name: the library starts it without loading workflow code. */
export const TRACK_ORDER = 'trackOrder';

/** The workflow's own durations at a sandbox time scale (but the wall-time silence a group may have); none to pass at scale 1. */
export function settingsAtTimeScale(timeScale: number): Partial<TrackingSettings> | undefined {
  if (timeScale === 1) return undefined;
  return {
    minRequestGapMs: DEFAULT_SETTINGS.minRequestGapMs / timeScale,
    attentionRecheckMs: DEFAULT_SETTINGS.attentionRecheckMs / timeScale,
    groupCheckMs: DEFAULT_SETTINGS.groupCheckMs / timeScale,
    // Not scaled: a group moves to another worker after its heartbeat timeout, in wall time.
  };
}

/** The start options of an order's workflow, for a track, a push (signal-with-start) or reconciliation. */
export function orderStartOptions(
  tracker: Pick<OrderTrackerOptions, 'taskQueue' | 'settings'>,
  provider: ProviderName,
  orderId: string,
  reference: string | null,
  maxWaitMs: number,
  memo: StartMemo,
  startedBy?: 'push',
) {
  const input: TrackOrderInput = { provider, orderId, reference, maxWaitMs, settings: tracker.settings, ...(startedBy ? { startedBy } : {}) };
  return {
    workflowId: orderWorkflowId(provider, orderId),
    taskQueue: tracker.taskQueue,
    args: [input] as [TrackOrderInput],
    memo: { ...memo },
    workflowIdReusePolicy: 'ALLOW_DUPLICATE' as const,
    typedSearchAttributes: [{ key: ORDER_PROVIDER, value: provider }, { key: ORDER_DEADLINE, value: new Date(Date.now() + maxWaitMs) }],
    staticSummary: `${provider} order ${orderId}${reference ? ` (ref ${reference})` : ''}`,
    staticDetails: `Tracking ${provider} order \`${orderId}\` until a final status or ${Math.round(maxWaitMs / 60_000)} min.`,
  };
}
