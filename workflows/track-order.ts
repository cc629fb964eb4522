/**
 * trackOrder: one order, from its start (a `track` or a push) to its outcome, fulfilled once.
 *
 *   open the run      its settings, state and once-per-run decisions (order-run.ts)
 *   handlers          progress query; trackRequested, cancel and statusPushed signals (order-handlers.ts)
 *   follow            retry-driven polling between changes (follow-changes.ts), or the timer loop
 *                     for runs recorded before it (timer-loop.ts), until an outcome or a long run
 *   continue as new   a long run hands its state to the next
 *   fulfil            record, call back, run the hook (fulfilment.ts); late news after a non-final
 *                     outcome tracks again in a new run
 *
 * Each `patched()` id is in patches.ts; the replay tests over test/histories prove that none moved.
 */
import { CancellationScope, allHandlersFinished, condition, isCancellation, log, makeContinueAsNewFunc, workflowInfo } from '@temporalio/workflow';
import { type Fulfilled, fulfil } from './fulfilment';
import { type LoopEnd, followChanges } from './follow-changes';
import { installHandlers, receivePush } from './order-handlers';
import { type OrderRun, type TrackOrderInput, announceRun, openRun } from './order-run';
import { ORDER_PROVIDER } from './search-attributes';
import { followTimerLoop } from './timer-loop';
import type { Outcome, TrackOrderResult } from '../domain/types';

export type { TrackOrderInput } from './order-run';
export * from './patches';

export async function trackOrder(input: TrackOrderInput): Promise<TrackOrderResult> {
  const run = openRun(input);
  installHandlers(run);
  announceRun(run);
  if (input.latePush !== undefined) receivePush(run, input.latePush);

  const end = await follow(run);
  if (end === 'continue_as_new') {
    await condition(allHandlersFinished);
    const continueAsNew = makeContinueAsNewFunc<typeof trackOrder>({ typedSearchAttributes: workflowInfo().typedSearchAttributes });
    return continueAsNew({ ...input, carried: run.state });
  }

  const fulfilled = await fulfil(run, end);
  // After a cancel request the root scope is cancelled: wait for handlers where that cannot interrupt.
  await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
  if (fulfilled.reopenable && (run.late.track !== null || run.late.push !== null)) return trackAgain(run, fulfilled.outcome);
  return resultOf(run, fulfilled);
}

/** Follows the order until an outcome, or until the run should continue as new. */
async function follow(run: OrderRun): Promise<LoopEnd> {
  try {
    return run.retryDriven ? await followChanges(run) : await followTimerLoop(run);
  } catch (error) {
    if (!isCancellation(error)) throw error;
    log.info('tracking cancelled by a Temporal cancel request');
    run.state.cancelRequested = true;
    return 'tracking_cancelled';
  }
}

/** Late news after a non-final outcome: the same workflow id tracks again in a new run. */
function trackAgain(run: OrderRun, outcome: Outcome): Promise<never> {
  const { input, state, late } = run;
  // A track brings its own settings; a push tracks again for the max wait this order had, until a track.
  const reference = late.track?.reference ?? state.reference ?? null;
  const maxWaitMs = late.track?.maxWaitMs ?? input.maxWaitMs;
  const startedBy = late.track === null ? 'push' : 'track';
  log.info('late news after a non-final outcome: tracking again', { outcome, by: startedBy });
  const continueAsNew = makeContinueAsNewFunc<typeof trackOrder>({
    typedSearchAttributes: [{ key: ORDER_PROVIDER, value: run.provider }],
    memo: { startedBy, reference, maxWaitMs },
  });
  return continueAsNew({
    provider: run.provider,
    orderId: run.orderId,
    reference,
    maxWaitMs,
    ...(input.settings === undefined ? {} : { settings: input.settings }),
    ...(late.track === null ? { startedBy: 'push' as const } : {}),
    ...(late.push === null ? {} : { latePush: late.push.payload }),
  });
}

function resultOf({ state }: OrderRun, { outcome, recorded }: Fulfilled): TrackOrderResult {
  return {
    outcome,
    recorded,
    status: state.current?.status ?? null,
    phase: state.current?.phase ?? null,
    polls: state.polls,
    pushes: state.pushes,
    details: state.current?.details ?? {},
    startedAt: new Date(state.startedAt).toISOString(),
    finishedAt: new Date().toISOString(),
    attention: state.attention,
    reference: state.reference ?? null,
    rank: state.current?.rank ?? null,
  };
}
