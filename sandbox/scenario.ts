/**
 * Scripted order lifecycles for the provider simulators. Pure: every function takes the time it
 * should reason about, so the rules are table-tested without a clock or a server.
 *
 * A step ends when its (scaled) duration has passed OR when it has been answered `requests` times,
 * whichever comes first. Request-count steps exist because workflow tests run on a time-skipping
 * Temporal server: the workflow's timers skip ahead but the sandbox's wall clock does not, so only
 * the number of polls can move such an order forward. The last step never ends.
 */
import { z } from 'zod';

export interface Step {
  status: string;
  /** Simulated milliseconds; the real time spent in the step is durationMs / timeScale. */
  durationMs?: number;
  /** The step ends once this many requests have been answered with it. */
  requests?: number;
  /** Provider fields shown from this step on (they accumulate over steps; a later step may override). */
  fields?: Record<string, unknown>;
}

export interface OrderScript {
  id: string;
  steps: Step[];
}

/** Where an order is in its script. Plain data, so a caller can keep it anywhere. */
export interface ScriptState {
  stepIndex: number;
  /** Wall-clock milliseconds when the current step began. */
  stepStartedAt: number;
  /** Requests answered with the current step so far. */
  answers: number;
}

export interface CurrentStep {
  index: number;
  step: Step;
  /** The state caught up to `now`; store it so later calls start from here. */
  state: ScriptState;
}

export const stepSchema = z
  .object({
    status: z.string().min(1),
    durationMs: z.number().positive().finite().optional(),
    requests: z.number().int().positive().optional(),
    fields: z.record(z.unknown()).optional(),
  })
  .strict();

export const orderScriptSchema = z
  .object({
    id: z.string().min(1).max(128),
    steps: z
      .array(stepSchema)
      .min(1)
      // A step before the last one that never ends would make every later step unreachable: a typo.
      .refine((steps) => steps.slice(0, -1).every((step) => step.durationMs !== undefined || step.requests !== undefined), {
        message: 'every step but the last needs durationMs or requests',
      }),
  })
  .strict();

export function initialState(now: number): ScriptState {
  return { stepIndex: 0, stepStartedAt: now, answers: 0 };
}

function isLast(script: OrderScript, index: number): boolean {
  return index >= script.steps.length - 1;
}

function stepAt(script: OrderScript, index: number): Step {
  const step = script.steps[index];
  if (step === undefined) throw new Error(`script ${script.id} has no step ${index}`);
  return step;
}

/** Wall-clock time at which the current step's duration runs out, if it has one and is not the last. */
export function stepEndsAt(script: OrderScript, state: ScriptState, timeScale = 1): number | undefined {
  const step = stepAt(script, state.stepIndex);
  if (isLast(script, state.stepIndex) || step.durationMs === undefined) return undefined;
  return state.stepStartedAt + step.durationMs / timeScale;
}

/** Moves past every step whose duration has run out by `now`. */
export function catchUp(script: OrderScript, state: ScriptState, now: number, timeScale = 1): ScriptState {
  let current = state;
  for (;;) {
    const endsAt = stepEndsAt(script, current, timeScale);
    if (endsAt === undefined || now < endsAt) return current;
    // The next step starts when the previous one ended, not when someone looked: a sequence of
    // timed steps keeps its schedule however rarely it is polled.
    current = { stepIndex: current.stepIndex + 1, stepStartedAt: endsAt, answers: 0 };
  }
}

/** The step in effect at `now`. */
export function currentStep(script: OrderScript, state: ScriptState, now: number, timeScale = 1): CurrentStep {
  const caughtUp = catchUp(script, state, now, timeScale);
  return { index: caughtUp.stepIndex, step: stepAt(script, caughtUp.stepIndex), state: caughtUp };
}

/** The state after one more request was answered with the step in effect at `now`. */
export function recordAnswer(script: OrderScript, state: ScriptState, now: number, timeScale = 1): ScriptState {
  const caughtUp = catchUp(script, state, now, timeScale);
  const answers = caughtUp.answers + 1;
  const step = stepAt(script, caughtUp.stepIndex);
  if (!isLast(script, caughtUp.stepIndex) && step.requests !== undefined && answers >= step.requests) {
    return { stepIndex: caughtUp.stepIndex + 1, stepStartedAt: now, answers: 0 };
  }
  return { ...caughtUp, answers };
}

/**
 * Fields in effect at step `index`: each step's fields merged over the earlier ones, because a
 * provider keeps showing a transaction id or channel id once it exists.
 */
export function fieldsAt(script: OrderScript, index: number): Record<string, unknown> {
  return script.steps.slice(0, index + 1).reduce<Record<string, unknown>>(
    (merged, step) => ({ ...merged, ...step.fields }),
    {},
  );
}
