/**
 * How this run's wall time maps to the provider's time. Against a real provider the two are the
 * same (SYSTEM_CLOCK). The sandbox runs scripts `timeScale` times faster (the benchmark), while the
 * cadence tables and windows (Magma's phases, MiracleCash's 24 h, Houdini's deposit window) are in
 * the provider's time: an adapter built with a scaled clock reads the provider's timestamps in
 * provider time and hands out waits in wall time, so nothing downstream (activities, workflow,
 * pushes) knows of any scale.
 */
export interface ProviderClock {
  /**
   * A provider timestamp moved to where it lies in provider time, `now + (time − now) × scale`:
   * without it a wait "until the phase's timeout" shrank twice, and the polls crowded towards each
   * expiry. Missing or unreadable values stay as they are.
   */
  providerTime(text: string | null | undefined, now: number): string | null | undefined;
  /** A wait in provider time (a cadence, a window's remainder) as the wall-clock wait of this run. */
  wallWait(providerMs: number): number;
}

/** Built by the sandbox's processes (SANDBOX_TIME_SCALE); scale 1 is SYSTEM_CLOCK. */
export function scaledClock(timeScale: number): ProviderClock {
  if (timeScale === 1) return SYSTEM_CLOCK;
  return {
    providerTime(text, now) {
      const time = text ? Date.parse(text) : Number.NaN;
      return Number.isFinite(time) ? new Date(now + (time - now) * timeScale).toISOString() : text;
    },
    wallWait: (providerMs) => providerMs / timeScale,
  };
}

/** Every real provider: its time is ours. */
export const SYSTEM_CLOCK: ProviderClock = {
  providerTime: (text) => text,
  wallWait: (providerMs) => providerMs,
};
