/**
 * The order's query and signals. Handlers only change the run's state (the loops wake on it) and
 * never throw: a bad payload is logged and dropped, and the order goes on.
 */
import { log, patched, setHandler } from '@temporalio/workflow';
import { receiveGroupReport } from './group-wait';
import { cancelSignal, parseTrackRequest, progressQuery, statusObservedSignal, statusPushedSignal, trackRequestedSignal } from './messages';
import { isVerdict, parseObservation } from './observation';
import { countPush, recordDetectionLag } from './order-metrics';
import type { OrderRun } from './order-run';
import { CANCEL_HOLDS_PATCH } from './patches';
import { applyObservation, progressSnapshot, pushIsNewer } from './state';
import { pollGroupWorkflowId } from '../domain/ids';
import { isNewer } from '../domain/newer';
import { isFinalOutcome } from '../domain/types';

export function installHandlers(run: OrderRun): void {
  const { provider, orderId, state } = run;
  setHandler(progressQuery, () => ({
    ...progressSnapshot(provider, orderId, state.reference ?? null, state),
    ...(run.pollGroups ? { pollGroup: state.group != null && state.groupSilent !== true && state.outcome === null ? pollGroupWorkflowId(provider, state.group.shard, run.taskQueue) : null } : {}),
  }));
  setHandler(trackRequestedSignal, (payload) => receiveTrack(run, payload));
  setHandler(cancelSignal, (request) => {
    if (state.outcome !== null || state.cancelRequested) return;
    state.cancelRequested = true;
    const reason = request?.reason;
    state.cancelReason = typeof reason === 'string' ? reason.slice(0, 256) : null;
    log.info('tracking cancel requested', { reason: state.cancelReason });
  });
  setHandler(statusPushedSignal, (payload) => receivePush(run, payload));
  // Only orders of the poll-groups shape join a group; a report to an older run is dropped and logged.
  setHandler(statusObservedSignal, (payload) => {
    if (run.pollGroups) receiveGroupReport(run, payload);
    else log.warn('ignored a statusObserved signal: this run does not wait on a poll group');
  });
}

/** A `track` of the running order hands it the merchant's settings (see `track` in docs/contract.md). */
function receiveTrack(run: OrderRun, payload: unknown): void {
  const { state } = run;
  const parsed = parseTrackRequest(payload);
  if (!parsed.ok) {
    log.warn('ignored an invalid trackRequested payload', { error: parsed.error });
    return;
  }
  if (state.outcome !== null) {
    if (!isFinalOutcome(state.outcome)) run.late.track ??= parsed.request;
    return;
  }
  const { reference, maxWaitMs } = parsed.request;
  // A reference is never replaced, only given to an order that has none.
  if (state.reference == null && reference !== null) state.reference = reference;
  // The first track of an order a push started sets its max wait, from now; later ones keep it.
  if (state.awaitingTrack === true) {
    state.awaitingTrack = false;
    state.deadline = Date.now() + maxWaitMs;
    state.deadlineMoved = true;
    log.info('a track set the max wait of an order a push started', { maxWaitMs });
  }
  run.publish();
}

/** A pushed observation: applied at once when newer, kept as late news while a non-final outcome is delivered. */
export function receivePush(run: OrderRun, payload: unknown): void {
  const { provider, settings, state } = run;
  const parsed = parseObservation(payload);
  if (!parsed.ok) {
    log.warn('ignored an invalid statusPushed payload', { error: parsed.error });
    countPush(provider, 'invalid');
    return;
  }
  const reopens =
    state.outcome !== null &&
    !isFinalOutcome(state.outcome) &&
    pushIsNewer(state, parsed.observation) &&
    !(state.outcome === 'tracking_cancelled' && !isVerdict(parsed.observation) && patched(CANCEL_HOLDS_PATCH));
  if (reopens) {
    const late = run.late.push;
    if (isNewer(late, parsed.observation)) run.late.push = { payload, rank: parsed.observation.rank };
    countPush(provider, 'reopened');
    return;
  }
  if (state.outcome !== null || state.cancelRequested) {
    countPush(provider, 'ignored');
    return;
  }
  state.pushes += 1;
  if (!pushIsNewer(state, parsed.observation)) {
    countPush(provider, 'stale');
    return;
  }
  countPush(provider, 'applied');
  const now = Date.now();
  if (applyObservation(state, parsed.observation, 'push', now, settings) && parsed.receivedAt !== null) {
    recordDetectionLag(provider, 'push', now - parsed.receivedAt);
  }
  state.lastSeenAt = now;
  state.unconfirmedPush = true;
  state.pendingPush = parsed.observation;
  run.publish();
}
