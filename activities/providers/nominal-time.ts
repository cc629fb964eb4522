/**
 * Against the sandbox at a time scale, a provider's timestamps are wall times of a run that goes
 * `timeScale` times faster than the provider's clock, while the cadence tables and windows (Magma's
 * phases, MiracleCash's 24 h, Houdini's deposit window) are in the provider's time. The wait
 * functions compare the two, so a timestamp is first moved to where it lies in provider time,
 * `now + (time − now) × timeScale`; the workflow divides the wait by the scale again. Without this a
 * wait "until the phase's timeout" shrank twice, and the polls crowded towards each expiry.
 * Identity at scale 1, i.e. against every real provider.
 */
export function nominalTimestamp(text: string | null | undefined, now: number, timeScale: number): string | null | undefined {
  if (timeScale === 1 || !text) return text;
  const time = Date.parse(text);
  if (!Number.isFinite(time)) return text;
  return new Date(now + (time - now) * timeScale).toISOString();
}
