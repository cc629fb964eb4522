/**
 * When the Houdini push bridge tries again after its socket dropped. Pure: attempt and a random
 * number in, milliseconds out.
 *
 * Exponential, capped, with "equal jitter" (half the step fixed, half random): the random half
 * spreads out replicas that lost their sockets together (a Houdini restart drops everyone), and the
 * fixed half keeps every retry a real pause, which full jitter (0…step) would not.
 */
export interface BackoffSettings {
  /** The step of the first retry. */
  initialMs: number;
  /** No retry waits longer: an outage costs one handshake per this long at most. */
  maxMs: number;
  /** How much each failed attempt grows the step. */
  factor: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = { initialMs: 1_000, maxMs: 30_000, factor: 2 };

/** Fills defaults; nonsense (a negative step, a shrinking factor) would be a storm, so it is refused. */
export function resolveBackoff(overrides: Partial<BackoffSettings> = {}): BackoffSettings {
  const settings = { ...DEFAULT_BACKOFF, ...overrides };
  const { initialMs, maxMs, factor } = settings;
  if (!(initialMs > 0 && Number.isFinite(initialMs))) throw new RangeError(`backoff.initialMs must be a positive number, not ${initialMs}`);
  if (!(maxMs >= initialMs && Number.isFinite(maxMs))) throw new RangeError(`backoff.maxMs must be at least initialMs (${initialMs}), not ${maxMs}`);
  if (!(factor >= 1 && Number.isFinite(factor))) throw new RangeError(`backoff.factor must be at least 1, not ${factor}`);
  return settings;
}

/** The full step of retry number `attempt` (1 = the first retry after a drop). */
export function backoffStepMs(attempt: number, settings: BackoffSettings): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  return Math.min(settings.maxMs, settings.initialMs * settings.factor ** exponent);
}

/** The wait before retry number `attempt`: within [step / 2, step]. `random` is in [0, 1). */
export function reconnectDelayMs(attempt: number, settings: BackoffSettings, random: () => number = Math.random): number {
  const step = backoffStepMs(attempt, settings);
  const unit = Math.min(Math.max(random(), 0), 1);
  return Math.round(step / 2 + (unit * step) / 2);
}
