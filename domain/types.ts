/**
 * Types shared by the workflow, activities, client and bridges. Workflow-safe: no imports with I/O.
 */
export const PROVIDER_NAMES = ['magma', 'miraclecash', 'ozzobit', 'houdini'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/**
 * Where the provider says the order is: still moving, one of the two final verdicts, or over
 * without a verdict (`unknown`: terminal, e.g. Houdini's DELETED "order older than 48 hours"; the
 * order ends `timed_out`, which may be tracked again, never `failed`).
 */
export type Phase = 'in_flight' | 'succeeded' | 'failed' | 'unknown';

export type Outcome = 'succeeded' | 'failed' | 'timed_out' | 'tracking_cancelled';

/** `succeeded` and `failed` are the provider's verdicts: recorded once, ever. The others may be tracked again. */
export function isFinalOutcome(outcome: Outcome): boolean {
  return outcome === 'succeeded' || outcome === 'failed';
}

export type DetailValue = string | number | boolean | null;
export type Details = Record<string, DetailValue>;

/** A provider's answer, normalised by its provider module. The workflow sees only this. */
export interface Observation {
  status: string;
  phase: Phase;
  /** False when the provider answered a status its module does not know (kept in flight). */
  recognised: boolean;
  /** Position in the provider's lifecycle; a push with a lower rank never replaces a higher one. */
  rank: number;
  /** When the provider module suggests asking again; the workflow still applies the 5 s floor. */
  nextWaitMs: number;
  details: Details;
  /**
   * Something a person should look at that the provider's answer says, e.g. `unrecognised status
   * EXPIRED` or `deleted by provider, outcome unknown`; absent or null when nothing.
   */
  attention?: string | null;
}

export type ObservationSource = 'poll' | 'push';

/** What became of a push (`OrderTracker.push`, and every push channel of the ingress). */
export type PushResponse =
  | { kind: 'signalled'; workflowId: string; runId: string }
  /** Dropped: the ledger already holds the order's final outcome. */
  | { kind: 'ignored'; workflowId: string; reason: string }
  /** Dropped by the ingress before any signal (workers/push/push-dedupe.ts): a repeat, or older than a push already delivered. */
  | { kind: 'duplicate' | 'stale'; workflowId: string; reason: string };

export interface Transition {
  status: string;
  /** ISO time at which the tracker learned of the status. */
  at: string;
  source: ObservationSource;
}

export type CallbackState = 'none' | 'pending' | 'delivered' | 'rejected';

export interface Progress {
  provider: ProviderName;
  orderId: string;
  reference: string | null;
  status: string | null;
  phase: Phase | null;
  recognised: boolean;
  outcome: Outcome | null;
  polls: number;
  pushes: number;
  startedAt: string;
  lastPolledAt: string | null;
  nextPollAt: string | null;
  deadline: string;
  details: Details;
  transitions: Transition[];
  /** Transitions left out of `transitions` because the list is capped. */
  transitionsDropped: number;
  /** Something a person should look at, e.g. "credentials refused"; null when all is well. */
  attention: string | null;
  fulfilment: { recorded: boolean; callback: CallbackState };
  /**
   * The poll group that polls the order (`poll-group:<provider>:<n>`), or absent/null while the order
   * polls on its own. Its unchanged polls are not reported: the client counts those its cadence
   * implies since the last report (client/group-progress.ts).
   */
  pollGroup?: string | null;
  /** The poll waiting for the next change, as the server describes it (added by the client, not the query). */
  pendingPoll?: PendingPoll;
}

/** The retries of the poll an order waits on between changes (see client/pending-poll.ts). */
export interface PendingPoll {
  attempt: number;
  /** Requests this wait has made so far (already counted in the progress's `polls`). */
  requests: number;
  /** When the last of them was answered (ISO), or null before the first. */
  lastRequestAt: string | null;
  /** When the next request is due (ISO), or null while one runs. */
  nextAttemptAt: string | null;
  /** The last attempt's message, e.g. "still PROCESSING after 3 polls; next at 10:04:05 UTC". */
  lastResult: string | null;
  /** The last answer's details (confirmations, expiry), newer than the order's own. */
  details: Details | null;
  /** What the wait reports a person should look at, e.g. `order not found at magma yet`. */
  attention: string | null;
}

export interface TrackOrderResult {
  outcome: Outcome;
  /** False when the ledger already held a final outcome and this run recorded nothing new. */
  recorded: boolean;
  status: string | null;
  phase: Phase | null;
  polls: number;
  pushes: number;
  details: Details;
  startedAt: string;
  finishedAt: string;
  attention: string | null;
  /** The merchant's reference (absent in results of runs before it was given). */
  reference?: string | null;
  /** The rank of the last status (absent in results of runs before it was given): a replayed push not above it starts nothing. */
  rank?: number | null;
}

/**
 * What a poll group tells an order (the `statusObserved` signal): only a change. The observation is
 * the provider's own answer (a poll, or a list page that showed the whole order), so a final status
 * ends the order without a confirming poll; `attention` alone reports a refusal (credentials, an
 * unknown order) the order should show.
 */
export interface GroupReport {
  observation: Observation | null;
  attention: string | null;
  /** Times the group looked at the order since its last report (requests and list pages), this one included. */
  requests: number;
  /** When the request behind the answer went out (epoch ms): the answer is at least as new as that. */
  observedAt: number;
  /** The group's look before this one, which still showed what the order holds: where the change's detection lag starts. */
  previousLookAt: number | null;
  source: 'group' | 'sweep';
}
