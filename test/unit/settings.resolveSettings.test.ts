import { DEFAULT_SETTINGS, type TrackingSettings, resolveSettings } from '../../workflows/settings';

describe('resolveSettings', () => {
  it('has the contract floor of 5 s between requests by default', () => {
    expect(DEFAULT_SETTINGS.minRequestGapMs).toBe(5_000);
  });

  it.each([
    ['undefined', undefined, DEFAULT_SETTINGS],
    ['no overrides', {}, DEFAULT_SETTINGS],
    ['a longer gap', { minRequestGapMs: 10_000 }, { ...DEFAULT_SETTINGS, minRequestGapMs: 10_000 }],
    ['a scaled-down gap (sandbox)', { minRequestGapMs: 50, attentionRecheckMs: 100 }, { ...DEFAULT_SETTINGS, minRequestGapMs: 50, attentionRecheckMs: 100 }],
    ['a zero gap is raised to 1 ms', { minRequestGapMs: 0, attentionRecheckMs: 10 }, { ...DEFAULT_SETTINGS, minRequestGapMs: 1, attentionRecheckMs: 10 }],
    ['an attention re-check below the gap is raised to the gap', { minRequestGapMs: 5_000, attentionRecheckMs: 1_000 }, { ...DEFAULT_SETTINGS, attentionRecheckMs: 5_000 }],
    ['continue-as-new below 200 events is raised to 200', { continueAsNewAfterEvents: 10 }, { ...DEFAULT_SETTINGS, continueAsNewAfterEvents: 200 }],
    ['continue-as-new above the floor is kept', { continueAsNewAfterEvents: 500 }, { ...DEFAULT_SETTINGS, continueAsNewAfterEvents: 500 }],
    ['max transitions below 2 is raised to 2', { maxTransitions: 1 }, { ...DEFAULT_SETTINGS, maxTransitions: 2 }],
    ['max transitions kept', { maxTransitions: 7 }, { ...DEFAULT_SETTINGS, maxTransitions: 7 }],
    ['confirmPushedTerminal off', { confirmPushedTerminal: false }, { ...DEFAULT_SETTINGS, confirmPushedTerminal: false }],
  ] as [string, Partial<TrackingSettings> | undefined, TrackingSettings][])('%s', (_name, overrides, expected) => {
    expect(resolveSettings(overrides)).toEqual(expected);
  });

  it('does not change DEFAULT_SETTINGS', () => {
    const before = { ...DEFAULT_SETTINGS };
    resolveSettings({ minRequestGapMs: 1, maxTransitions: 3 });
    expect(DEFAULT_SETTINGS).toEqual(before);
  });

  it.each([
    [{ minRequestGapMs: 0, attentionRecheckMs: 0 }, 1, 1],
    [{ minRequestGapMs: -100, attentionRecheckMs: -500 }, 1, 1],
    [{ minRequestGapMs: Number.NaN, attentionRecheckMs: Number.NaN }, 5_000, 300_000],
  ])('%j keeps the recheck at or above the raised floor', (overrides, gap, recheck) => {
    const settings = resolveSettings(overrides);
    expect(settings.minRequestGapMs).toBe(gap);
    expect(settings.attentionRecheckMs).toBe(recheck);
  });

  it('keeps a finite transition bound when given NaN', () => {
    expect(Number.isFinite(resolveSettings({ maxTransitions: Number.NaN }).maxTransitions)).toBe(true);
  });
});
