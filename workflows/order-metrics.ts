/**
 * The metrics an order records from workflow code, through the workflow metric meter: replay-safe
 * (the SDK drops metrics while replaying) and nothing in history. Exported beside the activities'
 * metrics (workers/metrics-interceptor.ts) on the worker's Prometheus endpoint.
 *
 * Detection lag. No provider says when its status changed, so the lag is what the order can know:
 * - `source="poll"`: a poll that finds a new status records the time since the order's previous
 *   observation (poll or push), which still showed the old status. The change happened inside that
 *   window, so this is the upper bound of how late the poll learned of it (the cadence's cost).
 * - `source="push"`: the time from the push's arrival at the ingress or a push bridge
 *   (`receivedAt`, stamped by OrderTracker.push) to the workflow applying it; the provider's own
 *   delivery (under a second by the OZZOBiT and Houdini documents) comes on top.
 */
import { metricMeter } from '@temporalio/workflow';
import type { ObservationSource, ProviderName } from '../domain/types';

/** Also the names in workers/metrics-interceptor.ts METRIC (that module is not for the sandbox). */
export const DETECTION_LAG_METRIC = 'order_tracker_detection_lag';
export const PUSHES_METRIC = 'order_tracker_pushes';

/**
 * What a `statusPushed` signal did to its order:
 * `applied` (a newer status), `stale` (not newer than what the order knows: a duplicate or a late
 * delivery), `ignored` (the order was already ending), `invalid` (the payload was refused),
 * `reopened` (a newer status while a non-final outcome was being delivered: tracking starts again).
 */
export type PushResult = 'applied' | 'stale' | 'ignored' | 'invalid' | 'reopened';

export function recordDetectionLag(provider: ProviderName, source: ObservationSource, lagMs: number): void {
  if (!Number.isFinite(lagMs) || lagMs < 0) return;
  metricMeter
    .createHistogram(DETECTION_LAG_METRIC, 'int', 'ms', 'Status change to the order knowing it: poll = upper bound since the previous observation; push = arrival to workflow')
    .record(Math.round(lagMs), { provider, source });
}

export function countPush(provider: ProviderName, result: PushResult): void {
  metricMeter.createCounter(PUSHES_METRIC, '', 'statusPushed signals received by orders, by what they did').add(1, { provider, result });
}
