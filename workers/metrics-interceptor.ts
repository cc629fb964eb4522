/**
 * Our metrics. Most are counted around the activities without touching them: an activity inbound
 * interceptor reads each execution's type, input, attempt and result, and records through the
 * activity's metric meter, which exports through the Runtime's Prometheus endpoint beside the SDK's
 * own metrics. The rate-budget wait is recorded by pollOrder itself (only it knows the wait), the
 * pushes and the detection lag by the workflow (workflows/order-metrics.ts).
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, type MetricMeter } from '@temporalio/common';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next, WorkerInterceptors } from '@temporalio/worker';
import type { RecordedOutcome } from '../activities';
import { RATE_BUDGET_WAIT_METRIC } from '../activities/provider-gate';
import { ErrorType } from '../workflows/error-types';
import { DETECTION_LAG_METRIC, PUSHES_METRIC } from '../workflows/order-metrics';
import { isProviderName } from '../providers/registry';
import type { ProviderName } from '../domain/types';
import { POLL_GROUP_METRIC } from '../activities/poll-groups/group-metrics';

/**
 * Metric names, exported as they are (the SDK's own carry a `temporal_` prefix); each sample also
 * has the activity's `namespace`, `taskQueue` and `activityType` labels.
 */
export const METRIC = {
  /** Provider requests by provider and result: `ok`, `unchanged` (a wait's "not yet") or the failure's type (e.g. ProviderRateLimited). */
  polls: 'order_tracker_polls',
  /** How long a poll waited on its task queue: the provider's request budget across workers shows here. */
  pollScheduleToStart: 'order_tracker_poll_schedule_to_start_latency',
  /** How long a poll waited for its provider on its worker, by cause: pacing, or a 429's Retry-After (activities/index.ts). */
  rateBudgetWait: RATE_BUDGET_WAIT_METRIC,
  /** Orders ended, by provider and the outcome the ledger holds. */
  outcomes: 'order_tracker_outcomes',
  /** Fulfilment steps (recordOutcome, callbacks, hooks) run again after a failed attempt. */
  fulfilmentRetries: 'order_tracker_fulfilment_retries',
  /** Callback deliveries by provider and result: `delivered`, `rejected` (a 4xx: no retry), `failed` (retried). */
  callbacks: 'order_tracker_callbacks',
  /** statusPushed signals received by orders, by provider and result (recorded in the workflow, see workflows/order-metrics.ts). */
  pushes: PUSHES_METRIC,
  /** Status change → the order knowing it, by provider and source (recorded in the workflow, see workflows/order-metrics.ts). */
  detectionLag: DETECTION_LAG_METRIC,
  /** Poll groups (activities/poll-groups/group-metrics.ts): their requests count in `polls` too. */
  groupMembers: POLL_GROUP_METRIC.members,
  groupBehind: POLL_GROUP_METRIC.behind,
  listPages: POLL_GROUP_METRIC.pages,
  groupReports: POLL_GROUP_METRIC.reports,
} as const;

const BUDGET_WAIT_BUCKETS = [1, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000];

/** Milliseconds; a budget wait is seconds, not the SDK's default sub-second buckets. */
export const METRIC_BUCKETS: Record<string, number[]> = {
  [METRIC.pollScheduleToStart]: BUDGET_WAIT_BUCKETS,
  [METRIC.rateBudgetWait]: BUDGET_WAIT_BUCKETS,
  // From a push's few milliseconds to a slow cadence's many minutes.
  [METRIC.detectionLag]: [10, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000],
};

type Tags = Record<string, string>;

/** Activities that ask the provider: a one-off poll, and the retry-driven wait for a change. */
const POLL_ACTIVITIES = new Set(['pollOrder', 'pollUntilChanged']);

function providerOf(input: ActivityExecuteInput): ProviderName | 'unknown' {
  const provider = (input.args[0] as { provider?: unknown } | undefined)?.provider;
  return typeof provider === 'string' && isProviderName(provider) ? provider : 'unknown';
}

/** A bounded label for a failure: the ApplicationFailure type our activities throw, else the class. */
export function failureLabel(error: unknown): string {
  if (error instanceof ApplicationFailure) return error.type ?? 'ApplicationFailure';
  return error instanceof Error ? error.name : 'unknown';
}

export class ActivityMetricsInterceptor implements ActivityInboundCallsInterceptor {
  constructor(private readonly context: Context) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const { activityType, attempt, currentAttemptScheduledTimestampMs } = this.context.info;
    const meter = this.context.metricMeter;
    const tags: Tags = { provider: providerOf(input) };
    if (POLL_ACTIVITIES.has(activityType)) {
      const waitedMs = Math.max(0, Date.now() - currentAttemptScheduledTimestampMs);
      meter.createHistogram(METRIC.pollScheduleToStart, 'int', 'ms', 'Time a poll waited on its task queue (request budget)').record(waitedMs, tags);
      return this.countPoll(meter, tags, input, next);
    }
    if (attempt > 1) {
      meter.createCounter(METRIC.fulfilmentRetries, '', 'Fulfilment steps run again after a failed attempt').add(1, tags);
    }
    if (activityType === 'deliverCallback') return this.countCallback(meter, tags, input, next);
    const result = await next(input);
    if (activityType === 'recordOutcome') {
      const outcome = (result as RecordedOutcome | undefined)?.outcome ?? 'unknown';
      meter.createCounter(METRIC.outcomes, '', 'Orders ended, by outcome').add(1, { ...tags, outcome });
    }
    return result;
  }

  /** What became of a callback attempt: delivered, rejected (returned), or failed and retried (thrown). */
  private async countCallback(meter: MetricMeter, tags: Tags, input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const callbacks = meter.createCounter(METRIC.callbacks, '', 'Callback deliveries, by result');
    try {
      const result = await next(input);
      if (result === 'delivered' || result === 'rejected') callbacks.add(1, { ...tags, result });
      return result;
    } catch (error) {
      callbacks.add(1, { ...tags, result: 'failed' });
      throw error;
    }
  }

  private async countPoll(meter: MetricMeter, tags: Tags, input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const polls = meter.createCounter(METRIC.polls, '', 'Provider requests, by result');
    try {
      const result = await next(input);
      polls.add(1, { ...tags, result: 'ok' });
      return result;
    } catch (error) {
      const label = failureLabel(error);
      // The first attempt of a wait that only schedules its first request asked nothing.
      if (label !== ErrorType.pollScheduled) polls.add(1, { ...tags, result: label === ErrorType.statusUnchanged ? 'unchanged' : label });
      throw error;
    }
  }
}

/** The `interceptors` worker option (the workflow's own metrics are recorded in workflows/order-metrics.ts). */
export function metricsInterceptors(): WorkerInterceptors {
  return { activity: [(context) => ({ inbound: new ActivityMetricsInterceptor(context) })] };
}
