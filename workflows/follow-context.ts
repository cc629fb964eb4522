/**
 * What an order's wait shares with its handlers and the other waits: the run's state and settings,
 * the hooks of order-run.ts, and the few rules every wait keeps (the floor, the cadence, what wakes it).
 */
import { condition } from '@temporalio/workflow';
import { timerSummary } from './current-details';
import type { TrackingSettings } from './settings';
import type { TrackingState } from './state';
import { isTerminal } from './observation';
import type { Outcome, ProviderName } from '../domain/types';

export type LoopEnd = Outcome | 'continue_as_new';

/** What the order's loop shares with its handlers: the state, and the hooks of order-run.ts. */
export interface FollowContext {
  provider: ProviderName;
  orderId: string;
  taskQueue: string;
  settings: TrackingSettings;
  state: TrackingState;
  /**
   * Keeps search attributes and the UI's current details in step with the state; `statusAttribute:
   * false` leaves the status attribute for the outcome's upsert (a final status a group reported).
   */
  publish(options?: { statusAttribute?: boolean }): void;
  shouldContinueAsNew(): boolean;
  /** Behind POLL_GROUPS_PATCH: the order joins its provider's poll group and waits on it (group-wait.ts). */
  pollGroups: boolean;
}

/** When the order may ask the provider again: the per-order floor after its last request. */
export function floorAt({ state, settings }: Pick<FollowContext, 'state' | 'settings'>): number {
  return state.lastPolledAt === null ? 0 : state.lastPolledAt + settings.minRequestGapMs;
}

/** How often the current status is asked about: its suggested wait, never under the floor. */
export function cadenceOf({ state, settings }: Pick<FollowContext, 'state' | 'settings'>): number {
  return Math.max(settings.minRequestGapMs, (state.current?.nextWaitMs ?? 0));
}

/** A final status the group reported (the provider's own answer, no confirming poll). */
export function groupVerdict({ state }: Pick<FollowContext, 'state'>): boolean {
  return state.group != null && state.current !== null && isTerminal(state.current) && state.unconfirmedPush !== true;
}

/** A push, a cancel, a moved deadline, a run grown long or a final status from its group ends any wait. */
export function wakeNeeded(context: FollowContext): boolean {
  const { state, shouldContinueAsNew } = context;
  return state.cancelRequested || state.pendingPush !== null || state.deadlineMoved === true || shouldContinueAsNew() || groupVerdict(context);
}

/** A timer (where one remains: attention re-checks, the wait for the deadline), woken early like a poll. */
export async function sleepUnlessWoken(context: FollowContext, until: number): Promise<void> {
  const milliseconds = Math.min(until, context.state.deadline) - Date.now();
  if (milliseconds <= 0 || wakeNeeded(context)) return;
  const summary = timerSummary(context.provider, context.state, Date.now() + milliseconds, Date.now());
  await condition(() => wakeNeeded(context), milliseconds, { summary });
}
