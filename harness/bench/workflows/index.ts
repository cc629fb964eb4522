/**
 * The Temporal ceilings: the least a workflow can do to follow an order, on the same server and
 * the same provider adapters as order-tracker. No queries, search attributes, pushes or ledger.
 */
import { ApplicationFailure, continueAsNew, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { CeilingActivities } from './activities';

export interface CeilingInput {
  provider: string;
  orderId: string;
  timeScale: number;
}

/** The seeds' per-order floor, scaled like every other wait. */
const FLOOR_MS = 5_000;
const CONTINUE_AS_NEW_AFTER_EVENTS = 2_000;

/** A bare activity + timer loop: poll, sleep the provider's suggested wait, repeat. */
export async function bareLoop(input: CeilingInput): Promise<string> {
  const floor = FLOOR_MS / input.timeScale;
  const { pollOrder, fulfil } = proxyActivities<CeilingActivities>({
    startToCloseTimeout: '30s',
    retry: { initialInterval: floor, backoffCoefficient: 2, maximumInterval: 60_000 },
  });
  for (;;) {
    const observation = await pollOrder({ provider: input.provider, orderId: input.orderId, timeScale: input.timeScale });
    if (observation.phase !== 'in_flight') {
      await fulfil({ orderId: input.orderId, outcome: observation.phase });
      return observation.phase;
    }
    if (workflowInfo().historyLength >= CONTINUE_AS_NEW_AFTER_EVENTS) await continueAsNew<typeof bareLoop>(input);
    await sleep(Math.max(floor, observation.nextWaitMs));
  }
}

/**
 * Temporal's "infrequent polling" pattern: one activity, failed with a benign error while the order
 * is in flight and retried by the server after `nextRetryDelay` (the provider's suggested wait).
 * No events are written between attempts.
 */
export async function infrequentPolling(input: CeilingInput): Promise<string> {
  const floor = FLOOR_MS / input.timeScale;
  const { checkOrder } = proxyActivities<CeilingActivities>({
    startToCloseTimeout: '30s',
    retry: { initialInterval: floor, backoffCoefficient: 1, nonRetryableErrorTypes: ['Fatal'] },
  });
  const { fulfil } = proxyActivities<CeilingActivities>({ startToCloseTimeout: '30s' });
  const phase = await checkOrder({ provider: input.provider, orderId: input.orderId, timeScale: input.timeScale });
  if (phase === 'in_flight') throw ApplicationFailure.nonRetryable('checkOrder returned an in-flight phase');
  await fulfil({ orderId: input.orderId, outcome: phase });
  return phase;
}
