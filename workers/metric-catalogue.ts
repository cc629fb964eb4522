/**
 * Every metric name an order-tracker process exports on its Prometheus endpoint, ours and the SDK's
 * we rely on: the alert rules and the dashboard (deploy/prometheus, deploy/grafana) may name only
 * these (test/unit/alert-rules.metric-names.test.ts), and the alerts' integration test finds them in a
 * real worker's and ingress's scrape.
 */
import { UNRECOGNISED_STATUSES_METRIC } from '../providers/status-attention';
import { METRIC } from './metrics-interceptor';
import { ORDERS_IN_FLIGHT_METRIC, ORDERS_PAST_MAX_WAIT_METRIC } from './order-watch';
import { PUSH_CHANNEL_UP_METRIC } from './push/push-channel-monitor';
import { PUSH_RECEIPTS_METRIC } from './push/push-receipts';

/** Ours: the worker's (activities, workflows, the order watch) and the ingress's (push receipts, channels). */
export const OUR_METRICS: readonly string[] = [
  ...Object.values(METRIC),
  UNRECOGNISED_STATUSES_METRIC,
  ORDERS_IN_FLIGHT_METRIC,
  ORDERS_PAST_MAX_WAIT_METRIC,
  PUSH_RECEIPTS_METRIC,
  PUSH_CHANNEL_UP_METRIC,
];

/** The SDK's (Temporal Core), exported beside ours by the worker with METRICS_PORT. */
export const SDK_METRICS: readonly string[] = ['temporal_worker_task_slots_available', 'temporal_num_pollers', 'temporal_workflow_task_schedule_to_start_latency'];

/** Histograms are scraped as `<name>_bucket`, `_sum` and `_count`. */
export const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'] as const;

export const EXPORTED_METRICS: ReadonlySet<string> = new Set([...OUR_METRICS, ...SDK_METRICS]);

/** Whether a name in a PromQL expression is one we export (a histogram's series included). */
export function isExportedMetric(name: string): boolean {
  const base = HISTOGRAM_SUFFIXES.reduce((current, suffix) => (current.endsWith(suffix) ? current.slice(0, -suffix.length) : current), name);
  return EXPORTED_METRICS.has(base);
}
