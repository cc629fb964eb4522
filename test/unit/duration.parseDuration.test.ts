import { formatMilliseconds, parseDuration } from '../../common/duration';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['1d', 86_400_000],
    ['1m30s', 90_000],
    ['1d2h', 93_600_000],
    ['0h30m', 1_800_000],
    ['1.5h', 5_400_000],
    ['1ms', 1],
    ['2h ', 7_200_000],
    [' 2h ', 7_200_000],
  ])('%j → %i ms', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });

  it.each([
    '0s',
    '0ms',
    '0h0m',
    '-5m',
    '5',
    '5x',
    '',
    '   ',
    'h',
    '2 h',
    '2H',
    '1h 30m',
    '1e3s',
    '.5h',
    '5.h',
    '+5m',
    '5m-1s',
    'PT5M',
    '2hours',
    'ms',
  ])('%j → undefined', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('formatMilliseconds', () => {
  it.each([
    [7_200_000, '2h'],
    [5_400_000, '90m'],
    [90_000, '90s'],
    [60_000, '1m'],
    [1_500, '1500ms'],
    [86_400_000, '24h'],
  ])('%i → %s', (milliseconds, expected) => {
    expect(formatMilliseconds(milliseconds)).toBe(expected);
  });

  it.each(['90s', '30m', '2h', '1h30m', '500ms', '1d'])('%s survives format → parse', (text) => {
    const milliseconds = parseDuration(text) as number;
    expect(parseDuration(formatMilliseconds(milliseconds))).toBe(milliseconds);
  });
});
