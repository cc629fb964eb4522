/**
 * The one argument reader (common/arguments.ts) as the benchmark and the crash and cluster tests use
 * it: `--name value` and `--name=value`, defaults kept for what is not given, and every bad value
 * refused as bad input with the option's name in the message. (The CLI's own cases are in
 * cli.runCli.test.ts.)
 */
import { parseOptions } from '../../harness/bench/options';
import { listOf, oneOf, positiveNumber, readArguments, wholeNumber } from '../../common/arguments';
import { InvalidInputError } from '../../common/order-input';
import { parseClusterTestArguments } from '../../harness/cluster/cluster-test';
import { parseCrashTestArguments } from '../../harness/crash/crash-test';

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as Error).message;
  }
  throw new Error('expected the arguments to be refused');
}

describe('the readers', () => {
  test.each([
    ['a word', () => wholeNumber('--orders', 'ten', 6), 'invalid --orders "ten": use a whole number from 6'],
    ['a fraction', () => wholeNumber('--kills', '1.5'), 'invalid --kills "1.5"'],
    ['below the minimum', () => wholeNumber('--orders', '5', 6), 'invalid --orders "5"'],
    ['above the maximum', () => wholeNumber('--limit', '10001', 1, 10_000), 'use a whole number 1-10000'],
    ['empty', () => wholeNumber('--seed', ''), 'invalid --seed ""'],
    ['zero where above zero is needed', () => positiveNumber('--time-scale', '0'), 'invalid --time-scale "0": use a number above 0'],
    ['infinity', () => positiveNumber('--time-scale', 'Infinity'), 'invalid --time-scale "Infinity"'],
    ['a choice not offered', () => oneOf('--ledger', 'mysql', ['sqlite', 'postgres']), 'invalid --ledger "mysql": use sqlite, postgres'],
    ['one unknown item in a list', () => listOf('--contenders', 'order-tracker,nope', ['order-tracker', 'seed-loops']), 'invalid --contenders "nope"'],
    ['an unknown option', () => readArguments(['--order', '5'], { orders: { type: 'string' } }, 'use --orders N'), "Unknown option '--order'"],
    ['an option without its value', () => readArguments(['--orders'], { orders: { type: 'string' } }, 'use --orders N'), "Option '--orders <value>' argument missing"],
  ])('%s is refused, naming the option', (_case, run, message) => {
    expect(refusal(run)).toContain(message);
  });

  test('a parse error carries the usage after its message', () => {
    expect(refusal(() => readArguments(['--nope'], {}, 'use --orders N'))).toMatch(/\nuse --orders N$/);
  });

  test('good values are read as given', () => {
    expect(wholeNumber('--orders', '200', 6)).toBe(200);
    expect(positiveNumber('--requests-per-second', '0.5')).toBe(0.5);
    expect(listOf('--contenders', 'none', ['a'])).toEqual([]);
    expect(listOf('--contenders', ' a , b ', ['a', 'b'])).toEqual(['a', 'b']);
  });
});

describe('the benchmark', () => {
  test('options not given keep their defaults; --name=value reads like --name value', () => {
    const options = parseOptions(['--orders=20', '--time-scale', '600', '--contenders', 'order-tracker,seed-loops', '--scaling', 'none'], '/out');
    expect(options).toMatchObject({ orders: 20, timeScale: 600, contenders: ['order-tracker', 'seed-loops'], scaling: [], seed: 7, parallel: false, outputDir: '/out' });
    expect(options.scalingTimeScale).toBeUndefined();
    expect(parseOptions(['--scaling-time-scale', '5'], '/out').scalingTimeScale).toBe(5);
  });

  test('--quick sets its sizes, and options given beside it still win whatever their place', () => {
    expect(parseOptions(['--orders', '50', '--quick'], '/out')).toMatchObject({ orders: 50, timeScale: 240, scaling: [100, 1_000], scalingMeasureSeconds: 30 });
  });

  test('--workload prompts and --kill-at choose the scenario and the kill (0: none)', () => {
    expect(parseOptions([], '/out')).toMatchObject({ workload: 'corpus', killAtFraction: 0.3 });
    expect(parseOptions(['--workload', 'prompts', '--kill-at', '0'], '/out')).toMatchObject({ workload: 'prompts', killAtFraction: 0 });
    expect(parseOptions(['--contenders', 'order-tracker-retry'], '/out').contenders).toEqual(['order-tracker-retry']);
  });

  test('an existing server runs one scaling point into its own folder', () => {
    const options = parseOptions(['--temporal-address', '127.0.0.1:7233', '--temporal-pid', '42', '--scaling', '1000', '--scaling-contenders', 'order-tracker'], '/out');
    expect(options).toMatchObject({ existingServer: { address: '127.0.0.1:7233', pid: 42 }, contenders: [], outputDir: '/out/cluster' });
  });

  test.each([
    [['--orders', '0'], 'invalid --orders "0"'],
    [['--scaling-time-scale', 'fast'], 'invalid --scaling-time-scale "fast"'],
    [['--contenders', 'order-tracker,bogus'], 'invalid --contenders "bogus"'],
    [['--sqlite-journal', 'memory'], 'invalid --sqlite-journal "memory"'],
    [['--temporal-address', 'localhost'], 'invalid --temporal-address "localhost"'],
    [['--temporal-pid', '42'], '--temporal-pid needs --temporal-address'],
    [['--parallel', 'extra'], 'unexpected argument "extra"'],
    [['--workload', 'orders'], 'invalid --workload "orders"'],
    [['--kill-at', '1.5'], 'invalid --kill-at "1.5"'],
  ])('%j is refused', (argv, message) => {
    expect(refusal(() => parseOptions(argv, '/out'))).toContain(message);
  });
});

describe('the crash and cluster tests', () => {
  test('the crash test reads its options, repeated --worker-env included', () => {
    const options = parseCrashTestArguments(['--orders', '80', '--kills=8', '--ledger', 'postgres', '--worker-env', 'A=1', '--worker-env', 'B=x=y', '--keep']);
    expect(options).toMatchObject({ orders: 80, kills: 8, ledger: 'postgres', workerEnvironment: { A: '1', B: 'x=y' }, keepWorkDir: true });
    expect(options).not.toHaveProperty('seed');
    expect(parseCrashTestArguments([])).toMatchObject({ orders: 200, kills: 10 });
    expect(parseCrashTestArguments(['--start-window', '240']).startWindowMs).toBe(240_000);
  });

  test.each([
    [['--orders', '5'], 'invalid --orders "5": use a whole number from 6'],
    [['--temporal', 'cloud'], 'invalid --temporal "cloud": use dev, cluster'],
    [['--worker-env', 'NOEQUALS'], 'invalid --worker-env "NOEQUALS": use NAME=VALUE'],
    [['--kils', '3'], "Unknown option '--kils'"],
  ])('the crash test refuses %j', (argv, message) => {
    expect(refusal(() => parseCrashTestArguments(argv))).toContain(message);
  });

  test('the cluster test reads its options and keeps its defaults', () => {
    expect(parseClusterTestArguments(['--orders', '24', '--start-window', '5', '--requests-per-second', '0.5'])).toEqual({ orders: 24, kills: 2, requestsPerSecond: 0.5, startWindowMs: 5_000 });
    expect(refusal(() => parseClusterTestArguments(['--poll-queue-partitions', '0']))).toContain('invalid --poll-queue-partitions "0"');
  });
});
