import {
  catchUp,
  currentStep,
  fieldsAt,
  initialState,
  orderScriptSchema,
  recordAnswer,
  stepEndsAt,
} from '../../sandbox/scenario';
import type { OrderScript, ScriptState } from '../../sandbox/scenario';

const START = 1_000_000;

const timed: OrderScript = {
  id: 'timed',
  steps: [
    { status: 'A', durationMs: 60_000 },
    { status: 'B', durationMs: 120_000 },
    { status: 'C' },
  ],
};

const counted: OrderScript = {
  id: 'counted',
  steps: [{ status: 'A', requests: 2 }, { status: 'B', requests: 1 }, { status: 'C' }],
};

const either: OrderScript = {
  id: 'either',
  steps: [{ status: 'A', durationMs: 60_000, requests: 3 }, { status: 'B' }],
};

/** Replays answers at the given times and returns the status each one saw. */
function statusesAnswered(script: OrderScript, times: number[], timeScale = 1): string[] {
  let state: ScriptState = initialState(START);
  return times.map((at) => {
    const { step } = currentStep(script, state, at, timeScale);
    state = recordAnswer(script, state, at, timeScale);
    return step.status;
  });
}

describe('currentStep by time', () => {
  it.each([
    ['at the start', 0, 1, 'A', 0],
    ['just before the first step ends', 59_999, 1, 'A', 0],
    ['when the first step ends', 60_000, 1, 'B', 1],
    ['inside the second step', 100_000, 1, 'B', 1],
    ['when the second step ends (60 s + 120 s)', 180_000, 1, 'C', 2],
    ['long after: the last step lasts forever', 10 ** 9, 1, 'C', 2],
    ['scaled 60×: one simulated minute is one real second', 1_000, 60, 'B', 1],
    ['scaled 60×: just before', 999, 60, 'A', 0],
    ['scaled 60×: both timed steps over after 3 s', 3_000, 60, 'C', 2],
  ])('%s', (_name, elapsed, timeScale, status, index) => {
    const result = currentStep(timed, initialState(START), START + elapsed, timeScale);
    expect(result.step.status).toBe(status);
    expect(result.index).toBe(index);
  });

  it('starts the next timed step when the previous one ended, not when it was looked at', () => {
    const state = catchUp(timed, initialState(START), START + 100_000);
    expect(state).toEqual({ stepIndex: 1, stepStartedAt: START + 60_000, answers: 0 });
  });
});

describe('recordAnswer by request count', () => {
  it.each([
    ['counted steps', counted, [1, 2, 3, 4, 5], ['A', 'A', 'B', 'C', 'C']],
    ['time ends a step before its count', either, [1, 2, 60_000], ['A', 'A', 'B']],
    ['count ends a step before its time', either, [1, 2, 3, 4], ['A', 'A', 'A', 'B']],
    ['timed steps ignore the count of answers', timed, [1, 2, 3, 60_001], ['A', 'A', 'A', 'B']],
  ])('%s', (_name, script, offsets, expected) => {
    expect(statusesAnswered(script, offsets.map((offset) => START + offset))).toEqual(expected);
  });

  it('starts the step after a counted one at the moment of the last answer', () => {
    const script: OrderScript = { id: 'mixed', steps: [{ status: 'A', requests: 1 }, { status: 'B', durationMs: 10_000 }, { status: 'C' }] };
    const afterAnswer = recordAnswer(script, initialState(START), START + 5_000);
    expect(afterAnswer).toEqual({ stepIndex: 1, stepStartedAt: START + 5_000, answers: 0 });
    expect(currentStep(script, afterAnswer, START + 14_999).step.status).toBe('B');
    expect(currentStep(script, afterAnswer, START + 15_000).step.status).toBe('C');
  });

  it('never moves past the last step', () => {
    const single: OrderScript = { id: 'single', steps: [{ status: 'ONLY', requests: 1 }] };
    expect(statusesAnswered(single, [1, 2, 3].map((offset) => START + offset))).toEqual(['ONLY', 'ONLY', 'ONLY']);
  });
});

describe('stepEndsAt', () => {
  it.each([
    ['a timed step', timed, initialState(START), 1, START + 60_000],
    ['a timed step, scaled', timed, initialState(START), 60, START + 1_000],
    ['a counted step', counted, initialState(START), 1, undefined],
    ['the last step, even with a duration', { id: 'x', steps: [{ status: 'A', durationMs: 5 }] }, initialState(START), 1, undefined],
  ])('%s', (_name, script, state, timeScale, expected) => {
    expect(stepEndsAt(script, state, timeScale)).toBe(expected);
  });
});

describe('fieldsAt', () => {
  const script: OrderScript = {
    id: 'fields',
    steps: [
      { status: 'A', requests: 1, fields: { payment_status: 'WAITING' } },
      { status: 'B', requests: 1, fields: { payment_status: 'SUCCESSFUL_PAYMENT', transaction_id: 'tx1' } },
      { status: 'C', requests: 1 },
      { status: 'D', fields: { transaction_id: null, channel_id: '800x1x0' } },
    ],
  };
  it.each([
    [0, { payment_status: 'WAITING' }],
    [1, { payment_status: 'SUCCESSFUL_PAYMENT', transaction_id: 'tx1' }],
    [2, { payment_status: 'SUCCESSFUL_PAYMENT', transaction_id: 'tx1' }],
    [3, { payment_status: 'SUCCESSFUL_PAYMENT', transaction_id: null, channel_id: '800x1x0' }],
  ])('step %i', (index, expected) => {
    expect(fieldsAt(script, index)).toEqual(expected);
  });
});

describe('orderScriptSchema', () => {
  it.each([
    ['a valid script', { id: 'o', steps: [{ status: 'A', requests: 1 }, { status: 'B' }] }, true],
    ['no steps', { id: 'o', steps: [] }, false],
    ['an empty id', { id: '', steps: [{ status: 'A' }] }, false],
    ['a middle step that never ends', { id: 'o', steps: [{ status: 'A' }, { status: 'B' }] }, false],
    ['a zero request count', { id: 'o', steps: [{ status: 'A', requests: 0 }, { status: 'B' }] }, false],
    ['a negative duration', { id: 'o', steps: [{ status: 'A', durationMs: -1 }, { status: 'B' }] }, false],
    ['an unknown key', { id: 'o', steps: [{ status: 'A', duration: 5 }] }, false],
  ])('%s', (_name, script, valid) => {
    expect(orderScriptSchema.safeParse(script).success).toBe(valid);
  });
});
