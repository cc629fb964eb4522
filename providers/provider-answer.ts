/**
 * The answer an observation was read from, kept beside it for the audit trail and never in it:
 * observations go into workflow history (size, secrets), answers stay on the activity or ingress
 * side. Adapters and push routes attach the JSON they parsed; the poll activity, the ingress and the
 * poll groups read it back before the observation leaves the process.
 */
import type { Observation } from '../domain/types';

const answers = new WeakMap<Observation, unknown>();

/** Attaches `answer` to `observation` and returns the observation. */
export function withAnswer<T extends Observation>(observation: T, answer: unknown): T {
  answers.set(observation, answer);
  return observation;
}

/** The answer attached to this very object; a copy (`{ ...observation }`) has none. */
export function answerOf(observation: Observation): unknown {
  return answers.get(observation);
}
