import { parseGroupReport } from '../../workflows/observation';

const observation = { status: 'pending', phase: 'in_flight', rank: 1, nextWaitMs: 5_000, details: {} };
const valid = { observation, attention: null, requests: 3, observedAt: 1_796_000_000_000, previousLookAt: null, source: 'group' };

describe('parseGroupReport', () => {
  it('takes a change or an attention alone', () => {
    expect(parseGroupReport(valid)).toMatchObject({ ok: true, report: { requests: 3, source: 'group', observation: { status: 'pending', recognised: true } } });
    expect(parseGroupReport({ ...valid, observation: null, attention: 'credentials refused', source: 'sweep' })).toMatchObject({ ok: true, report: { observation: null, attention: 'credentials refused' } });
  });

  it.each([
    ['not an object', 'hello', 'report must be an object'],
    ['negative requests', { ...valid, requests: -1 }, 'requests must be a whole number'],
    ['a text time', { ...valid, observedAt: 'now' }, 'observedAt must be a positive number'],
    ['a bad previous look', { ...valid, previousLookAt: -5 }, 'previousLookAt must be null or'],
    ['an unknown source', { ...valid, source: 'push' }, 'source must be group or sweep'],
    ['a long attention', { ...valid, attention: 'x'.repeat(300) }, 'attention must be null or a string'],
    ['a bad observation', { ...valid, observation: { ...observation, phase: 'done' } }, 'observation: phase must be one of'],
    ['nothing to say', { ...valid, observation: null }, 'a report needs an observation or an attention'],
  ])('refuses %s by name', (_name, payload, error) => {
    const parsed = parseGroupReport(payload);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.error).toContain(error);
  });
});
