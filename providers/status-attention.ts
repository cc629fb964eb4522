import { Context } from '@temporalio/activity';
import type { Observation, ProviderName } from '../domain/types';

/**
 * A status the provider module does not know stays in flight (guessing a verdict is worse than
 * waiting), but a person should know: the observation says so in `attention`, the workflow shows
 * it, and the worker counts it.
 */
export const UNRECOGNISED_STATUSES_METRIC = 'order_tracker_unrecognised_statuses';

export function unrecognisedStatusAttention(status: string): string {
  return `unrecognised status ${status}`;
}

/** `attention` only when there is some: an observation without it keeps its old shape. */
export function withAttention(observation: Observation, attention: string | null): Observation {
  return attention === null ? observation : { ...observation, attention };
}

/**
 * Counts an unrecognised status on the worker's metric meter (order_tracker_unrecognised_statuses,
 * by provider) when a poll activity observed it; elsewhere (the ingress) nothing is counted here.
 */
export function countUnrecognisedStatus(provider: ProviderName, observation: Observation): Observation {
  if (observation.recognised) return observation;
  let context: Context | undefined;
  try {
    context = Context.current();
  } catch {
    return observation;
  }
  context.metricMeter
    .createCounter(UNRECOGNISED_STATUSES_METRIC, 'statuses', 'Provider answers whose status the provider module does not know (kept in flight)')
    .add(1, { provider });
  return observation;
}
