/**
 * Every `patched()` id of trackOrder, in the order the workflow's shape changed. A running order
 * replays with the shape it was recorded with; test/histories holds one folder per shape.
 *
 * Retiring a shape. A `patched()` call records its id in the run's TemporalChangeVersion search
 * attribute, so the runs still open on an older shape can be listed, e.g. for the timer loop:
 *   temporal workflow list --query "WorkflowType = 'trackOrder' AND ExecutionStatus = 'Running'
 *     AND (TemporalChangeVersion IS NULL OR TemporalChangeVersion != 'retry-driven-polling')"
 * A run lives at most its max wait (30 days at most, MAX_WAIT_LIMIT_MS; the longest default is
 * MiracleCash's 25 h) plus its callback's delivery. Once that list is empty:
 *   1. deploy `deprecatePatch(RETRY_DRIVEN_POLLING_PATCH)` in place of `patched()` and delete
 *      timer-loop.ts (and `POLL_OVERTAKEN_BY_PUSH_PATCH`, which only it reads); the recorded
 *      histories without the `retry-driven-polling` marker leave test/histories;
 *   2. the old poll activity `pollOrder` (one request per activity, used only by the timer loop)
 *      leaves the workers' registrations in the same deploy;
 *   3. once no run recorded before step 1 is open either, remove the `deprecatePatch` call.
 * The per-order wait of retry-driven polling stays: it is the poll groups' fallback. The same steps
 * retire any other patch below, with its own id in the query.
 */

/** Workflows recorded before callbacks and hooks existed end right after recordOutcome. */
export const FULFILMENT_STEPS_PATCH = 'fulfilment-callback-and-hooks';
/**
 * A poll answered before a push that arrived while it was in flight read an older state when it
 * ranks lower: it is not applied (workflows recorded before applied it, status regression included).
 */
export const POLL_OVERTAKEN_BY_PUSH_PATCH = 'poll-overtaken-by-push';

/**
 * Runs continue as new after 500 events instead of 2,000 (settings.ts): a restarted worker replays
 * every running order's current run, and 2,000-event replays held the bench's orders for minutes
 * after a SIGKILL. A continued run also waits for the poll the run before planned instead of
 * polling at the floor, so the more frequent continue-as-new costs no extra requests. Runs recorded
 * before keep the limit they were written with and poll at once.
 */
export const SHORTER_RUNS_PATCH = 'continue-as-new-after-500-events';

/**
 * Between status changes an order waits on the retry timer of one poll activity, not on a workflow
 * timer per poll (follow-changes.ts): an unchanged poll adds no event to history. Runs recorded
 * before keep the timer loop (timer-loop.ts).
 */
export const RETRY_DRIVEN_POLLING_PATCH = 'retry-driven-polling';

/**
 * A non-final outcome (`timed_out`, `tracking_cancelled`) does not hold the order while its callback
 * and hook run (for days when the receiver is down): a newer push or a `track` arriving meanwhile
 * interrupts them and continues as new, tracking again from the push or with the track's settings.
 * Runs recorded before delivered to the end and ignored such news.
 */
export const LATE_NEWS_PATCH = 'late-news-reopens-tracking';

/**
 * A cancel is someone's decision to stop following the order: after `tracking_cancelled` only a
 * pushed verdict (succeeded, failed) tracks again, not an in-flight status (Houdini's WebSocket
 * repeats those). Runs recorded before reopened on any newer push.
 */
export const CANCEL_HOLDS_PATCH = 'cancel-holds-against-in-flight-pushes';

/**
 * Orders wait on their provider's poll group (group-wait.ts): the group polls many orders from one
 * long activity and signals an order only when it changes; the order keeps one rare watch over its
 * group and polls on its own only while the group is silent. The run's first search attribute
 * upsert (the provider, already set at start) is left out, and a status the group reports final is
 * upserted with the outcome. Runs recorded before keep retry-driven polling alone.
 */
export const POLL_GROUPS_PATCH = 'poll-groups';

/**
 * A worker without a hook for the recorded outcome (the `order-tracker worker` command has none)
 * says so in recordOutcome's answer, and the order schedules no runHook: one activity attempt, one
 * billed action, less per order. Runs recorded before run the (empty) runHook.
 */
export const HOOKS_WHERE_SET_PATCH = 'hooks-only-where-set';
