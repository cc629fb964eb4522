import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;

function seconds(duration: temporal.api.history.v1.ITimerStartedEventAttributes['startToFireTimeout']): number {
  return Number(duration?.seconds ?? 0) * 1000 + Math.round((duration?.nanos ?? 0) / 1e6);
}

/** Every timer the workflow started, in order, in milliseconds: how we prove the cadence. */
export function timerDurationsMs(history: History): number[] {
  return (history.events ?? [])
    .filter((event) => event.timerStartedEventAttributes)
    .map((event) => seconds(event.timerStartedEventAttributes?.startToFireTimeout));
}

/** How many times an activity type was scheduled in this run. */
export function activityCount(history: History, activityType: string): number {
  return (history.events ?? []).filter(
    (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === activityType,
  ).length;
}

export function pollCount(history: History): number {
  return activityCount(history, 'pollOrder');
}

/** The run this one continued from, or undefined for a first run. */
export function continuedFromRunId(history: History): string | undefined {
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  return started?.continuedExecutionRunId || undefined;
}

/**
 * Writes a history as the CLI and UI export it (proto JSON) under test-output/histories/, from where
 * new fixtures for the replay test are copied into test/histories/<workflow version>/.
 */
export function saveHistory(name: string, history: History): void {
  const directory = join(__dirname, '..', '..', 'test-output', 'histories');
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, `${name}.json`), historyToJSON(history as temporal.api.history.v1.History));
}
