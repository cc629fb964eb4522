/**
 * Temporal actions of one workflow run, counted from its history (what Temporal Cloud bills, by the
 * categories of issue 28): the run's start (a continue-as-new run is one more), every activity
 * attempt, each signal received, each timer, and each search-attribute upsert that sets more than
 * `TemporalChangeVersion` (those are exempt on Temporal Cloud). Heartbeats are not in a history:
 * the benchmark counts them at the server (temporal-server.ts).
 *
 * Attempts: a retried activity's history shows only its last attempt (the started event carries its
 * number). An activity cancelled while it waits for its next attempt shows none: for the order's
 * group watch (`watchPollGroup`) the attempts are rebuilt from its schedule (attempt 1 at once, the
 * second after the silence allowance, then one per group check), for any other activity one attempt
 * is counted. The benchmark checks the sum against the attempts the server was told of.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface ActionCounts {
  starts: number;
  activityAttempts: number;
  signals: number;
  timers: number;
  upserts: number;
}

export interface RunActions extends ActionCounts {
  /** Attempts by activity type. */
  attemptsByType: Record<string, number>;
  /** Attempts rebuilt for activities cancelled between attempts (included in activityAttempts). */
  rebuiltAttempts: number;
}

/** What rebuilding a cancelled group watch's attempts needs (the run's settings, wall ms). */
export interface WatchSchedule {
  checkEveryMs: number;
}

export const CHANGE_VERSION_ATTRIBUTE = 'TemporalChangeVersion';

export function emptyActions(): RunActions {
  return { starts: 0, activityAttempts: 0, signals: 0, timers: 0, upserts: 0, attemptsByType: {}, rebuiltAttempts: 0 };
}

export function millis(time: HistoryEvent['eventTime']): number {
  return Number(time?.seconds ?? 0) * 1000 + Math.round((time?.nanos ?? 0) / 1e6);
}

/**
 * Attempts of a group watch cancelled `elapsedMs` after it was scheduled: one at once, then one per
 * group check (a watch that found its group silent completed, and is in its history as it ran).
 */
export function watchAttempts(elapsedMs: number, schedule: WatchSchedule): number {
  return 1 + Math.floor(elapsedMs / Math.max(1, schedule.checkEveryMs));
}

/** Pending activities of a running workflow (describe): attempts made so far, by type. */
export interface PendingAttempt {
  activityType: string;
  attempt: number;
  /** Started now (the attempt is under way) rather than waiting for its next attempt. */
  running: boolean;
}

export function countRunActions(events: readonly HistoryEvent[], schedule: WatchSchedule, pending: readonly PendingAttempt[] = []): RunActions {
  const counts = emptyActions();
  const add = (type: string, attempts: number) => {
    counts.activityAttempts += attempts;
    counts.attemptsByType[type] = (counts.attemptsByType[type] ?? 0) + attempts;
  };
  const scheduled = new Map<number, { type: string; at: number }>();
  const started = new Map<number, number>();
  const ended = new Set<number>();
  for (const event of events) {
    const id = Number(event.eventId);
    if (event.workflowExecutionStartedEventAttributes) counts.starts += 1;
    // SignalWithStart is billed once, as the start: its signal is the event right after the start.
    if (event.workflowExecutionSignaledEventAttributes && id !== 2) counts.signals += 1;
    if (event.timerStartedEventAttributes) counts.timers += 1;
    const upsert = event.upsertWorkflowSearchAttributesEventAttributes;
    if (upsert) {
      const names = Object.keys(upsert.searchAttributes?.indexedFields ?? {});
      if (names.some((name) => name !== CHANGE_VERSION_ATTRIBUTE)) counts.upserts += 1;
    }
    const activity = event.activityTaskScheduledEventAttributes;
    if (activity) scheduled.set(id, { type: activity.activityType?.name ?? 'unknown', at: millis(event.eventTime) });
    const start = event.activityTaskStartedEventAttributes;
    if (start) started.set(Number(start.scheduledEventId), Math.max(1, start.attempt ?? 1));
    const closedId =
      event.activityTaskCompletedEventAttributes?.scheduledEventId ??
      event.activityTaskFailedEventAttributes?.scheduledEventId ??
      event.activityTaskTimedOutEventAttributes?.scheduledEventId ??
      event.activityTaskCanceledEventAttributes?.scheduledEventId;
    if (closedId === undefined || closedId === null) continue;
    const scheduledId = Number(closedId);
    ended.add(scheduledId);
    const known = scheduled.get(scheduledId);
    if (known === undefined) continue;
    const attempts = started.get(scheduledId);
    if (attempts !== undefined) {
      add(known.type, attempts);
    } else {
      // Cancelled (or timed out) while waiting for its next attempt: the history names none.
      const rebuilt = known.type === 'watchPollGroup' ? watchAttempts(millis(event.eventTime) - known.at, schedule) : 1;
      add(known.type, rebuilt);
      counts.rebuiltAttempts += rebuilt;
    }
  }
  // Still pending at the end (a group's long activity, an order cut off by the run's end).
  const pendingByType = new Map<string, PendingAttempt[]>();
  for (const entry of pending) pendingByType.set(entry.activityType, [...(pendingByType.get(entry.activityType) ?? []), entry]);
  for (const [scheduledId, { type }] of scheduled) {
    if (ended.has(scheduledId)) continue;
    const entry = pendingByType.get(type)?.shift();
    add(type, entry === undefined ? 1 : Math.max(1, entry.running ? entry.attempt : entry.attempt - 1));
  }
  return counts;
}

export function addActions(total: RunActions, run: RunActions): RunActions {
  total.starts += run.starts;
  total.activityAttempts += run.activityAttempts;
  total.signals += run.signals;
  total.timers += run.timers;
  total.upserts += run.upserts;
  total.rebuiltAttempts += run.rebuiltAttempts;
  for (const [type, attempts] of Object.entries(run.attemptsByType)) total.attemptsByType[type] = (total.attemptsByType[type] ?? 0) + attempts;
  return total;
}

export function actionTotal(counts: ActionCounts): number {
  return counts.starts + counts.activityAttempts + counts.signals + counts.timers + counts.upserts;
}

/** The settings a run of trackOrder was started with (its first event's input), for the watch's schedule. */
export function startInput(events: readonly HistoryEvent[]): Record<string, unknown> | undefined {
  const payload = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) return undefined;
  try {
    return defaultPayloadConverter.fromPayload(payload as never) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
