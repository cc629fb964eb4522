/**
 * What a poll group records on the worker's metric meter (its Prometheus endpoint): its requests in
 * `order_tracker_polls` like an order's own polls (so "no polls while orders are in flight" alerts
 * see them), and its own gauges and counters: members, how late it runs, list pages, reports.
 */
import type { MetricMeter } from '@temporalio/common';
import type { ProviderName } from '../../domain/types';

export const POLL_GROUP_METRIC = {
  members: 'order_tracker_poll_group_members',
  behind: 'order_tracker_poll_group_behind',
  pages: 'order_tracker_list_pages',
  reports: 'order_tracker_poll_group_reports',
} as const;

export interface GroupMetrics {
  /** One request about one member: `ok`, `unchanged`, or the failure's kind. */
  request(result: string): void;
  page(): void;
  report(source: 'group' | 'sweep', kind: 'status' | 'attention'): void;
  state(members: number, behindMs: number): void;
}

export function groupMetrics(meter: MetricMeter, provider: ProviderName, shard: number, pollsMetric: string): GroupMetrics {
  const tags = { provider, shard: String(shard) };
  const polls = meter.createCounter(pollsMetric, '', 'Provider requests, by result');
  const pages = meter.createCounter(POLL_GROUP_METRIC.pages, '', 'List pages a poll group read (Houdini, Magma)');
  const reports = meter.createCounter(POLL_GROUP_METRIC.reports, '', 'Changes poll groups reported to orders, by source and kind');
  const members = meter.createGauge(POLL_GROUP_METRIC.members, 'int', '', 'Orders a poll group polls');
  const behind = meter.createGauge(POLL_GROUP_METRIC.behind, 'int', 'ms', 'How late the most overdue member of a poll group is');
  return {
    request: (result) => polls.add(1, { provider, result, activityType: 'runPollGroup' }),
    page: () => pages.add(1, { provider }),
    report: (source, kind) => reports.add(1, { provider, source, kind }),
    state: (count, behindMs) => {
      members.set(count, tags);
      behind.set(Math.max(0, Math.round(behindMs)), tags);
    },
  };
}

/** For a group built without a meter (tests). */
export const NO_GROUP_METRICS: GroupMetrics = { request: () => undefined, page: () => undefined, report: () => undefined, state: () => undefined };
