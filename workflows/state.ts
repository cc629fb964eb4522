import type { TrackingSettings } from './settings';
import { isNewer, isOlder } from '../domain/newer';
import type {
  CallbackState,
  Observation,
  ObservationSource,
  Outcome,
  ProviderName,
  Progress,
  Transition,
} from '../domain/types';

/** Everything an order carries across continue-as-new. Plain data; times are epoch ms. */
export interface TrackingState {
  startedAt: number;
  deadline: number;
  /** When the last request to the provider finished (or failed): the 5 s floor counts from here. */
  lastPolledAt: number | null;
  nextPollAt: number | null;
  polls: number;
  pushes: number;
  current: Observation | null;
  transitions: Transition[];
  transitionsDropped: number;
  /** A push the loop has not acted on yet (e.g. a terminal status awaiting its confirming poll). */
  pendingPush: Observation | null;
  cancelRequested: boolean;
  cancelReason: string | null;
  attention: string | null;
  outcome: Outcome | null;
  recorded: boolean;
  callback: CallbackState;
  /** How many runs (continue-as-new generations) this order has had before this one. */
  runs: number;
  /** The current status came from a push that no poll has shown yet (absent in runs before retry-driven polling). */
  unconfirmedPush?: boolean;
  /** When the order last heard from the provider (poll or push): where a poll's detection lag starts. */
  lastSeenAt?: number | null;
  /** While a retry-driven wait runs: its cadence, after its first request at `nextPollAt`. */
  waitCadenceMs?: number | null;
  /** The merchant's reference (absent in runs carried from before a `track` could hand one over). */
  reference?: string | null;
  /** A push started the order with the default max wait: the first `track` then sets reference and max wait. */
  awaitingTrack?: boolean;
  /** A `track` moved the deadline: the current wait, scheduled to end at the old one, is replaced. */
  deadlineMoved?: boolean;
  /** The poll group the order waits on (POLL_GROUPS_PATCH): `poll-group:<provider>:<shard>`. Absent: it polls on its own. */
  group?: { shard: number } | null;
  /** Its group fell silent about the order: it polls on its own until the group looks at it again. */
  groupSilent?: boolean;
  /** Reports its group sent (changes only); their looks are counted in `polls`. */
  groupReports?: number;
  /** When the provider gave the answer behind `current` (polls and group reports; epoch ms). */
  observedAt?: number;
}

export function initialState(startedAt: number, maxWaitMs: number): TrackingState {
  return {
    startedAt,
    deadline: startedAt + maxWaitMs,
    lastPolledAt: null,
    nextPollAt: startedAt,
    polls: 0,
    pushes: 0,
    current: null,
    transitions: [],
    transitionsDropped: 0,
    pendingPush: null,
    cancelRequested: false,
    cancelReason: null,
    attention: null,
    outcome: null,
    recorded: false,
    callback: 'none',
    runs: 0,
  };
}

/**
 * Makes the observation current. Records a transition when the status changed; returns whether it
 * did, so the caller knows to update search attributes.
 */
export function applyObservation(
  state: TrackingState,
  observation: Observation,
  source: ObservationSource,
  now: number,
  settings: Pick<TrackingSettings, 'maxTransitions'>,
): boolean {
  const changed = state.current?.status !== observation.status;
  // The provider's own attention (an unrecognised status) follows its answers; other attention stays.
  if (observation.attention != null || state.current?.attention != null) state.attention = observation.attention ?? null;
  state.current = observation;
  if (!changed) return false;
  state.transitions.push({ status: observation.status, at: new Date(now).toISOString(), source });
  // Keep the first transition (where the order started) and the most recent ones.
  while (state.transitions.length > settings.maxTransitions) {
    state.transitions.splice(1, 1);
    state.transitionsDropped += 1;
  }
  return true;
}

/** Whether a push may replace what the order already knows: never a step backwards. */
export function pushIsNewer(state: TrackingState, observation: Observation): boolean {
  if (state.current === null) return true;
  return state.current.phase === 'in_flight' && isNewer(state.current, observation);
}

/**
 * Whether a poll's in-flight answer is older than a push that reached the order while the poll was
 * on its way (the push has not been confirmed by a poll yet): the answer must not undo it.
 */
export function overtakenByPush(state: TrackingState, observation: Observation): boolean {
  return state.unconfirmedPush === true && observation.phase === 'in_flight' && isOlder(state.current, observation);
}

export function outcomeOf(observation: Observation): Outcome | null {
  if (observation.phase === 'succeeded') return 'succeeded';
  if (observation.phase === 'failed') return 'failed';
  // Over without a verdict (the provider deleted the order): the non-final outcome, never `failed`.
  if (observation.phase === 'unknown') return 'timed_out';
  return null;
}

function isoOrNull(time: number | null): string | null {
  return time === null ? null : new Date(time).toISOString();
}

export function progressSnapshot(
  provider: ProviderName,
  orderId: string,
  reference: string | null,
  state: TrackingState,
): Progress {
  return {
    provider,
    orderId,
    reference,
    status: state.current?.status ?? null,
    phase: state.current?.phase ?? null,
    recognised: state.current?.recognised ?? true,
    outcome: state.outcome,
    polls: state.polls,
    pushes: state.pushes,
    startedAt: new Date(state.startedAt).toISOString(),
    lastPolledAt: isoOrNull(state.lastPolledAt),
    nextPollAt: state.outcome === null ? isoOrNull(state.nextPollAt) : null,
    deadline: new Date(state.deadline).toISOString(),
    details: { ...(state.current?.details ?? {}) },
    transitions: state.transitions.map((transition) => ({ ...transition })),
    transitionsDropped: state.transitionsDropped,
    attention: state.attention,
    fulfilment: { recorded: state.recorded, callback: state.callback },
  };
}
