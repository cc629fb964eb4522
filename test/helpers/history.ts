import { defaultPayloadConverter } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { temporal } from '@temporalio/proto';
import type { ProviderAdapter, ProviderRegistry } from '../../providers/provider';
import type { ProviderName } from '../../domain/types';

type History = temporal.api.history.v1.IHistory;

function seconds(duration: temporal.api.history.v1.ITimerStartedEventAttributes['startToFireTimeout']): number {
  return Number(duration?.seconds ?? 0) * 1000 + Math.round((duration?.nanos ?? 0) / 1e6);
}

/** The patch ids of the history's `core_patch` markers (`patched()` calls that took the new branch), in order. */
export function patchMarkers(history: History): { id: string; eventId: number }[] {
  return (history.events ?? []).flatMap((event) => {
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_patch') return [];
    const payload = marker.details?.['patch-data']?.payloads?.[0];
    if (payload === undefined || payload === null) return [];
    const data = defaultPayloadConverter.fromPayload<{ id: string }>(payload as never);
    return [{ id: data.id, eventId: Number(event.eventId) }];
  });
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

/**
 * Retry-driven polling keeps unchanged polls out of history, so the cadence is read from the
 * requests instead: each provider request is stamped with the server's time (on the time-skipping
 * server, its skipped time: `environment.currentTimeMs()`).
 */
export interface RequestClock {
  providers: ProviderRegistry;
  /** Server times (epoch ms) of the requests made for one order, in order. */
  times(orderId: string): number[];
  /** Gaps between consecutive requests for one order, in milliseconds. */
  gapsMs(orderId: string): number[];
}

export function recordRequestTimes(providers: ProviderRegistry, serverTime: () => Promise<number>): RequestClock {
  const times = new Map<string, number[]>();
  const wrapped: ProviderRegistry = {};
  for (const [name, adapter] of Object.entries(providers) as [ProviderName, ProviderAdapter][]) {
    wrapped[name] = {
      name: adapter.name,
      async fetchOrder(orderId, signal) {
        const list = times.get(orderId) ?? [];
        list.push(await serverTime());
        times.set(orderId, list);
        return adapter.fetchOrder(orderId, signal);
      },
    };
  }
  const timesOf = (orderId: string) => [...(times.get(orderId) ?? [])];
  return {
    providers: wrapped,
    times: timesOf,
    gapsMs: (orderId) => {
      const list = timesOf(orderId);
      return list.slice(1).map((time, index) => time - (list[index] ?? time));
    },
  };
}

/**
 * Whether request gaps follow a cadence: each at least its planned wait (less timer rounding) and at
 * most `slackMs` more, which covers the workflow task and the dispatch between an answer and the
 * next wait's first attempt on a busy machine.
 */
export function followsCadence(gapsMs: number[], plannedMs: number[], slackMs = 2_500): boolean {
  return gapsMs.length === plannedMs.length && gapsMs.every((gap, index) => gap >= (plannedMs[index] ?? 0) - 100 && gap <= (plannedMs[index] ?? 0) + slackMs);
}

/** The first argument of every signal of this name the run received, decoded (default converter). */
export function signalPayloads<T>(history: History, signalName: string): T[] {
  return (history.events ?? []).flatMap((event) => {
    const signaled = event.workflowExecutionSignaledEventAttributes;
    if (signaled?.signalName !== signalName) return [];
    const payload = signaled.input?.payloads?.[0];
    return payload === undefined || payload === null ? [] : [defaultPayloadConverter.fromPayload<T>(payload as never)];
  });
}
