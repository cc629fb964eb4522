/**
 * Every call the ingress makes to Temporal ends within a deadline (issue 29, R2). Without one, a
 * Temporal that refuses connections held a webhook for the client's 20 s of gRPC retries and then
 * answered 500, and a hung one held it until the socket closed at 60 s: past a provider's webhook
 * timeout, so the provider counted a failure and our 503 ("deliver again") never reached it.
 *
 * The gRPC calls themselves carry the deadline (Connection.withDeadline, which the client's retry
 * interceptor honours: no retry starts after it), and the answer never waits past it either: at the
 * deadline the caller gets TemporalUnreachableError, which the routes answer 503 with Retry-After.
 * A call still on its way then ends by its own gRPC deadline; a push it did deliver after all is
 * delivered again by the provider's retry, which the order ignores by rank.
 */
import type { ConnectionLike } from '@temporalio/client';
import { TemporalUnreachableError } from '../client/connect';
import type { OrderTracker } from '../client/order-tracker';

/** Well inside the 10–30 s webhook senders allow, and ample for the two or three calls of a push. */
export const INGRESS_TEMPORAL_DEADLINE_MS = 5_000;
/** What a 503 asks the sender to wait before delivering again. */
export const TEMPORAL_RETRY_AFTER_SECONDS = 5;

export type IngressTracker = Pick<OrderTracker, 'track' | 'progress' | 'cancel' | 'push' | 'listPage'>;

export interface TemporalDeadline {
  deadlineMs: number;
  /** The client's connection: its gRPC calls get the deadline too (without it, only the answer is bounded). */
  connection?: Pick<ConnectionLike, 'withDeadline'>;
}

/** gRPC codes of a server that does not answer: UNAVAILABLE (refused, reset) and DEADLINE_EXCEEDED. */
const UNREACHABLE_CODES = new Set([14, 4]);

/** Whether `error` (or one of its causes) says Temporal could not be reached in time. */
export function isTemporalUnreachable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current !== undefined && current !== null && depth < 6; depth += 1) {
    if (current instanceof TemporalUnreachableError) return true;
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'number' && UNREACHABLE_CODES.has(code)) return true;
    current = cause;
  }
  return false;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

/** Runs `work` within the deadline: its result, or TemporalUnreachableError at the deadline or when Temporal cannot be reached. */
export async function withinTemporalDeadline<T>(bound: TemporalDeadline, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + bound.deadlineMs;
  const running = bound.connection === undefined ? work() : bound.connection.withDeadline(deadline, work);
  running.catch(() => undefined); // still settles after an expired race; nobody waits for it then
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new TemporalUnreachableError(`Temporal did not answer within ${bound.deadlineMs / 1000} s`)), bound.deadlineMs);
  });
  try {
    return await Promise.race([running, expired]);
  } catch (error) {
    if (error instanceof TemporalUnreachableError) throw error;
    if (isTemporalUnreachable(error)) throw new TemporalUnreachableError(`Temporal is unreachable: ${firstLine(error)}`);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** The tracker the ingress's routes and bridges use: each call within the deadline. */
export function boundedTracker(tracker: IngressTracker, bound: TemporalDeadline): IngressTracker {
  return {
    track: (...args) => withinTemporalDeadline(bound, () => tracker.track(...args)),
    progress: (...args) => withinTemporalDeadline(bound, () => tracker.progress(...args)),
    cancel: (...args) => withinTemporalDeadline(bound, () => tracker.cancel(...args)),
    push: (...args) => withinTemporalDeadline(bound, () => tracker.push(...args)),
    listPage: (...args) => withinTemporalDeadline(bound, () => tracker.listPage(...args)),
  };
}
