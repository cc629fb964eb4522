/**
 * How an order's wait for a change ends: the poll's answer or failure, or a wake-up (a push, a
 * cancel signal, a moved deadline, a long run).
 */
import { CancellationScope, isCancellation } from '@temporalio/workflow';
import type { PollAnswer } from '../activities';

export type WaitEnd = { kind: 'changed'; answer: PollAnswer } | { kind: 'woken' } | { kind: 'failed'; error: unknown };

/**
 * The first of the poll and the wake-up. A Temporal cancel request cancels both at once, and which
 * is heard first then depends only on how many promise steps each takes: the tracing interceptors
 * add some around the activity, and the wake-up always came first, again and again. So it is fixed
 * here the way every recorded run has it: the wait cancelled from outside ends as a wake-up, and the
 * next one, begun in the cancelled scope, ends with its poll's cancellation (the activity is refused
 * at once, no command), which ends the order `tracking_cancelled`.
 */
export async function firstEnd(polled: Promise<WaitEnd>, woken: Promise<WaitEnd>, cancelledBefore: boolean): Promise<WaitEnd> {
  if (cancelledBefore) return polled;
  const first = await Promise.race([polled, woken]);
  const cancelledFromOutside = CancellationScope.current().consideredCancelled && first.kind === 'failed' && isCancellation(first.error);
  return cancelledFromOutside ? { kind: 'woken' } : first;
}
