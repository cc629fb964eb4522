/**
 * Tracking knobs with their reasons. Passed in the workflow input so a worker's configuration
 * reaches running orders deterministically; everything has a safe default.
 */
export interface TrackingSettings {
  /** Seeds: never more than one request per order per 5 s; every provider throttles faster callers. */
  minRequestGapMs: number;
  /** How long to wait before re-checking after refused credentials or an unknown order. */
  attentionRecheckMs: number;
  /** Continue as new once history has this many events (or earlier when the server suggests it). */
  continueAsNewAfterEvents: number;
  /** Transitions kept in state; the oldest beyond this are counted, not kept. */
  maxTransitions: number;
  /** A pushed terminal status is confirmed by one poll before fulfilment. */
  confirmPushedTerminal: boolean;
  /**
   * While a poll group polls the order: how often the order looks at its group itself (one activity
   * attempt, no provider request). Its cost does not follow the cadence: 24 looks in 24 h. A dead
   * group's loop is found by the workers' watchdog within seconds: this is the last safety net.
   */
  groupCheckMs: number;
  /** A group may leave an order unlooked-at this long at least (three cadences otherwise) before the order polls on its own. */
  groupSilenceMs: number;
}

export const DEFAULT_SETTINGS: TrackingSettings = {
  minRequestGapMs: 5_000,
  attentionRecheckMs: 5 * 60_000,
  // ~11 events per poll cycle: about 45 cycles a run. After a worker restart every running order
  // replays its current run (about 1.5 ms of worker CPU per event here), so a short run is a short
  // recovery. Runs started before SHORTER_RUNS_PATCH keep RUN_EVENTS_BEFORE_SHORTER_RUNS.
  continueAsNewAfterEvents: 500,
  maxTransitions: 100,
  confirmPushedTerminal: true,
  groupCheckMs: 60 * 60_000,
  // A group's loop moves to another worker within about 20 s of a crash (workers/group-watchdog.ts).
  groupSilenceMs: 2 * 60_000,
};

/** The default before SHORTER_RUNS_PATCH (workflows/patches.ts): runs recorded then replay with it. */
export const RUN_EVENTS_BEFORE_SHORTER_RUNS = 2_000;

/**
 * Fills defaults; a value below the floor is raised to it rather than trusted. (Inputs of benchmark
 * runs before the adapters had a clock may also hold a `timeScale`: it is ignored.)
 */
export function resolveSettings(overrides: Partial<TrackingSettings> | undefined): TrackingSettings {
  const number = (value: number | undefined, fallback: number): number =>
    typeof value === 'number' && Number.isFinite(value) ? value : fallback;
  const minRequestGapMs = Math.max(1, number(overrides?.minRequestGapMs, DEFAULT_SETTINGS.minRequestGapMs));
  return {
    minRequestGapMs,
    attentionRecheckMs: Math.max(minRequestGapMs, number(overrides?.attentionRecheckMs, DEFAULT_SETTINGS.attentionRecheckMs)),
    continueAsNewAfterEvents: Math.max(200, number(overrides?.continueAsNewAfterEvents, DEFAULT_SETTINGS.continueAsNewAfterEvents)),
    maxTransitions: Math.max(2, Math.floor(number(overrides?.maxTransitions, DEFAULT_SETTINGS.maxTransitions))),
    confirmPushedTerminal:
      typeof overrides?.confirmPushedTerminal === 'boolean' ? overrides.confirmPushedTerminal : DEFAULT_SETTINGS.confirmPushedTerminal,
    groupCheckMs: Math.max(minRequestGapMs, number(overrides?.groupCheckMs, DEFAULT_SETTINGS.groupCheckMs)),
    groupSilenceMs: Math.max(minRequestGapMs, number(overrides?.groupSilenceMs, DEFAULT_SETTINGS.groupSilenceMs)),
  };
}
