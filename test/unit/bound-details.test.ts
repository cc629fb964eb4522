import { boundDetails, boundText } from '../../providers/bound-details';

describe('boundText', () => {
  it.each([
    ['empty', '', ''],
    ['short', 'abc', 'abc'],
    ['exactly 256', 'x'.repeat(256), 'x'.repeat(256)],
    ['257 becomes 255 + ellipsis', 'x'.repeat(257), `${'x'.repeat(255)}…`],
    ['10 000 becomes 255 + ellipsis', 'y'.repeat(10_000), `${'y'.repeat(255)}…`],
  ])('%s', (_name, input, expected) => {
    const bounded = boundText(input);
    expect(bounded).toBe(expected);
    expect(bounded.length).toBeLessThanOrEqual(256);
  });
});

describe('boundDetails', () => {
  it.each([
    ['empty', {}, {}],
    ['drops undefined', { a: undefined, b: 1 }, { b: 1 }],
    ['keeps null, booleans and finite numbers', { a: null, b: true, c: false, d: 0, e: -2.5 }, { a: null, b: true, c: false, d: 0, e: -2.5 }],
    ['NaN becomes null', { a: Number.NaN }, { a: null }],
    ['Infinity becomes null', { a: Number.POSITIVE_INFINITY, b: Number.NEGATIVE_INFINITY }, { a: null, b: null }],
    ['shortens long strings', { a: 'z'.repeat(300) }, { a: `${'z'.repeat(255)}…` }],
    ['keeps short strings', { a: 'HODL_INVOICE_TIMEOUT' }, { a: 'HODL_INVOICE_TIMEOUT' }],
  ] as [string, Record<string, string | number | boolean | null | undefined>, Record<string, unknown>][])(
    '%s',
    (_name, input, expected) => {
      const details = boundDetails(input);
      expect(details).toEqual(expected);
      expect(Object.values(details)).not.toContain(undefined);
    },
  );

  it('does not change its input', () => {
    const input = { a: 'z'.repeat(300), b: undefined };
    boundDetails(input);
    expect(input.a).toHaveLength(300);
    expect(Object.keys(input)).toEqual(['a', 'b']);
  });
});
