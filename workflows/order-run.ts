/**
 * One run of trackOrder: its input, settings and state, the decisions taken once at its start, and
 * what keeps the order's search attributes and UI details in step. The loops, the handlers and the
 * fulfilment all work on it.
 */
import { patched, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { renderCurrentDetails } from './current-details';
import type { FollowContext } from './follow-context';
import type { TrackRequest } from './messages';
import { POLL_GROUPS_PATCH, RETRY_DRIVEN_POLLING_PATCH, SHORTER_RUNS_PATCH } from './patches';
import { ORDER_OUTCOME, ORDER_PROVIDER, ORDER_STATUS } from './search-attributes';
import { RUN_EVENTS_BEFORE_SHORTER_RUNS, type TrackingSettings, resolveSettings } from './settings';
import { type TrackingState, initialState } from './state';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { Outcome, ProviderName } from '../domain/types';

export interface TrackOrderInput {
  provider: ProviderName;
  orderId: string;
  reference?: string | null;
  /** The order's max wait; after it the order ends `timed_out` (never `failed`: it may still pay). */
  maxWaitMs: number;
  settings?: Partial<TrackingSettings>;
  /** Set only by continue-as-new: the state of the run before. */
  carried?: TrackingState;
  /** `push` when a push started the order: reference and max wait are then the defaults until a `track` comes. */
  startedBy?: 'push';
  /**
   * Set only by a run that was delivering a non-final outcome when a newer push came (see
   * LATE_NEWS_PATCH): this run starts from that push, as a `statusPushed` signal.
   */
  latePush?: unknown;
}

/** News that came while a non-final outcome was being delivered: acted on only behind LATE_NEWS_PATCH. */
export interface LateNews {
  track: TrackRequest | null;
  /** The highest-ranked push starts the next run. */
  push: { payload: unknown; rank: number } | null;
}

export interface OrderRun extends FollowContext {
  input: TrackOrderInput;
  /** Behind SHORTER_RUNS_PATCH; decided once per run, at its start, so a replay decides the same. */
  shorterRuns: boolean;
  /** Behind RETRY_DRIVEN_POLLING_PATCH; decided likewise. */
  retryDriven: boolean;
  late: LateNews;
  /** The outcome's search attribute upsert, with the status where it is still to be upserted. */
  outcomeAttributes(outcome: Outcome): SearchAttributeUpdatePair[];
}

/** Takes the run's decisions and state; the first commands (patch markers) come from here. */
export function openRun(input: TrackOrderInput): OrderRun {
  const { provider, orderId } = input;
  const settings = resolveSettings(input.settings);
  const shorterRuns = patched(SHORTER_RUNS_PATCH);
  const retryDriven = patched(RETRY_DRIVEN_POLLING_PATCH);
  const pollGroups = retryDriven && patched(POLL_GROUPS_PATCH);
  const runEventLimit =
    shorterRuns || input.settings?.continueAsNewAfterEvents !== undefined ? settings.continueAsNewAfterEvents : RUN_EVENTS_BEFORE_SHORTER_RUNS;
  const state: TrackingState = input.carried ?? initialState(Date.now(), input.maxWaitMs);
  // Where a poll's detection lag starts; runs carried from before it was kept start at the last poll.
  if (state.lastSeenAt === undefined) state.lastSeenAt = state.lastPolledAt;
  if (state.reference === undefined) state.reference = input.reference ?? null;
  if (input.carried === undefined && input.startedBy === 'push') state.awaitingTrack = true;
  // A continued run's status attribute is already set: only a change is upserted again.
  let statusAttribute: string | null = input.carried === undefined ? null : (state.current?.status ?? null);

  return {
    input,
    provider,
    orderId,
    taskQueue: workflowInfo().taskQueue,
    settings,
    state,
    shorterRuns,
    retryDriven,
    pollGroups,
    late: { track: null, push: null },
    publish(options) {
      const status = state.current?.status ?? null;
      if (status !== null && status !== statusAttribute && options?.statusAttribute !== false) {
        upsertSearchAttributes([{ key: ORDER_STATUS, value: status }]);
        statusAttribute = status;
      }
      setCurrentDetails(renderCurrentDetails(state, Date.now()));
    },
    outcomeAttributes(outcome) {
      const attributes: SearchAttributeUpdatePair[] = [{ key: ORDER_OUTCOME, value: outcome }];
      const status = state.current?.status ?? null;
      // One upsert for both where the status was left for it (a final status a group reported).
      if (pollGroups && status !== null && status !== statusAttribute) {
        attributes.push({ key: ORDER_STATUS, value: status });
        statusAttribute = status;
      }
      return attributes;
    },
    shouldContinueAsNew() {
      const info = workflowInfo();
      return info.continueAsNewSuggested || info.historyLength >= runEventLimit;
    },
  };
}

/** The run's first commands after its handlers: the provider attribute (first run) and the details. */
export function announceRun(run: OrderRun): void {
  if (run.input.carried === undefined) {
    // The client's starts set the provider attribute (an upsert is a billed action on Temporal Cloud);
    // runs recorded before the poll groups upsert it again whatever the start said.
    const atStart = workflowInfo().typedSearchAttributes.get(ORDER_PROVIDER);
    if (!run.pollGroups || atStart !== run.provider) upsertSearchAttributes([{ key: ORDER_PROVIDER, value: run.provider }]);
  } else {
    run.state.runs += 1;
  }
  run.publish();
}
