import { openLedger } from '../../storage/open-database';
import { ExitCode, exitCodeForOutcome, runCli } from '../../cli/main';
import { connectClient } from '../../client/connect';
import type { Outcome } from '../../domain/types';

// Nothing may be opened or connected on bad input: these stand in for the ledger and Temporal and
// fail loudly if a test reaches them.
jest.mock('../../client/connect', () => {
  const actual = jest.requireActual('../../client/connect');
  return { ...actual, connectClient: jest.fn(async () => Promise.reject(new Error('connectClient must not be called'))) };
});
jest.mock('../../storage/open-database', () => ({
  openLedger: jest.fn(async () => Promise.reject(new Error('openLedger must not be called'))),
}));


/** Every variable the project reads starts with one of these; tests run with none of them set. */
const PROJECT_VARIABLE = /^(TEMPORAL_|MAGMA_|MIRACLECASH_|OZZOBIT_|HOUDINI_|DATABASE_URL$|FULFILLMENT_|INGRESS_|METRICS_)/;

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[]): Promise<Captured> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(argv, { write: (text) => stdout.push(text), error: (text) => stderr.push(text) });
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

const originalEnvironment = process.env;

beforeEach(() => {
  process.env = Object.fromEntries(Object.entries(originalEnvironment).filter(([name]) => !PROJECT_VARIABLE.test(name)));
  jest.mocked(connectClient).mockClear();
  jest.mocked(openLedger).mockClear();
});

afterEach(() => {
  process.env = originalEnvironment;
});

describe('runCli on bad input', () => {
  it.each([
    ['an unknown command', ['frobnicate'], 'unknown command "frobnicate"'],
    ['an unknown command with arguments', ['start', 'magma', 'abc'], 'unknown command "start"'],
    ['an unknown flag', ['list', '--bogus'], '--bogus'],
    ['an unknown short flag', ['status', '-x', 'magma', 'abc'], '-x'],
    ['a value for a boolean flag', ['list', '--json=yes'], '--json'],
    ['--max-wait without a value', ['track', 'magma', 'abc', '--max-wait'], '--max-wait'],
    ['--max-wait with no unit', ['track', 'magma', 'abc', '--max-wait', '5'], 'invalid --max-wait "5"'],
    ['--max-wait with a bad unit', ['track', 'magma', 'abc', '--max-wait', '5x'], 'invalid --max-wait "5x"'],
    ['--max-wait zero', ['track', 'magma', 'abc', '--max-wait', '0s'], 'invalid --max-wait "0s"'],
    ['--max-wait negative', ['track', 'magma', 'abc', '--max-wait=-5m'], 'invalid --max-wait "-5m"'],
    ['--max-wait negative, as a separate argument', ['track', 'magma', 'abc', '--max-wait', '-5m'], '--max-wait'],
    ['--max-wait a word', ['track', 'magma', 'abc', '--max-wait', 'forever'], 'invalid --max-wait "forever"'],
    ['track without an order id', ['track', 'magma'], 'track takes 2 argument(s)'],
    ['track with three arguments', ['track', 'magma', 'a', 'b'], 'track takes 2 argument(s)'],
    ['status without arguments', ['status'], 'status takes 2 argument(s)'],
    ['cancel with one argument', ['cancel', 'magma'], 'cancel takes 2 argument(s)'],
    ['list with an argument', ['list', 'magma'], 'list takes 0 argument(s)'],
    ['list with an unknown provider', ['list', '--provider', 'binance'], 'unknown provider "binance"'],
    ['list with --limit zero', ['list', '--limit', '0'], 'invalid --limit "0"'],
    ['list with --limit negative', ['list', '--limit=-3'], 'invalid --limit "-3"'],
    ['list with --limit a word', ['list', '--limit', 'ten'], 'invalid --limit "ten"'],
    ['list with --limit fractional', ['list', '--limit', '1.5'], 'invalid --limit "1.5"'],
    ['list with --limit too large', ['list', '--limit', '10001'], 'invalid --limit "10001"'],
    ['list with an unknown --outcome', ['list', '--outcome', 'done'], 'invalid --outcome "done"'],
    ['list with --outcome in capitals', ['list', '--outcome', 'FAILED'], 'invalid --outcome "FAILED"'],
    ['track with an unknown provider', ['track', 'binance', 'abc'], 'unknown provider "binance"'],
    ['track with a space in the order id', ['track', 'magma', 'a b'], 'invalid order id "a b"'],
    ['track with a 129-character order id', ['track', 'magma', 'x'.repeat(129)], 'invalid order id'],
    ['status with an unknown provider', ['status', 'nope', 'abc'], 'unknown provider "nope"'],
    ['cancel with a bad order id', ['cancel', 'magma', 'a b'], 'invalid order id "a b"'],
    ['track with an empty --ref', ['track', 'magma', 'abc', '--ref', ''], 'invalid reference'],
    ['track with --max-wait over 30 days', ['track', 'magma', 'abc', '--max-wait', '31d'], 'at most 30 days'],
    ['track with --max-wait under a millisecond', ['track', 'magma', 'abc', '--max-wait', '0.4ms'], 'invalid --max-wait "0.4ms"'],
  ])('%s → exit 2, nothing opened', async (_name, argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toMatch(/^order-tracker: /);
    expect(connectClient).not.toHaveBeenCalled();
    expect(openLedger).not.toHaveBeenCalled();
  });

  it.each([
    ['TEMPORAL_ADDRESS', 'nonsense', ['status', 'magma', 'abc']],
    ['TEMPORAL_ADDRESS', 'http://localhost:7233', ['list']],
    ['INGRESS_PORT', 'eighty', ['track', 'magma', 'abc']],
    ['DATABASE_URL', 'mysql://db', ['cancel', 'magma', 'abc']],
    ['MAGMA_URL', 'not a url', ['list']],
  ])('a bad %s=%j → exit 2 naming the variable, nothing opened', async (name, value, argv) => {
    process.env[name] = value;
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(name);
    expect(connectClient).not.toHaveBeenCalled();
    expect(openLedger).not.toHaveBeenCalled();
  });

  it('MAGMA_URL without MAGMA_API_KEY → exit 2 naming both', async () => {
    process.env['MAGMA_URL'] = 'http://127.0.0.1:4001/graphql';
    const result = await run(['list']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('MAGMA_URL');
    expect(result.stderr).toContain('MAGMA_API_KEY');
  });

  it('no command → usage and exit 2', async () => {
    const result = await run([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('Usage: order-tracker');
    expect(connectClient).not.toHaveBeenCalled();
  });

  it.each([[['--help']], [['-h']], [['track', '--help']]])('%j → usage and exit 0', async (argv) => {
    const result = await run(argv);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: order-tracker');
    expect(result.stderr).toBe('');
    expect(connectClient).not.toHaveBeenCalled();
  });

  it('an unknown command lists the commands', async () => {
    const result = await run(['frobnicate']);
    expect(result.stderr).toContain('track <provider> <orderId>');
  });
});

describe('exitCodeForOutcome', () => {
  it.each([
    ['succeeded', 0],
    ['failed', 10],
    ['timed_out', 11],
    ['tracking_cancelled', 12],
  ] as [Outcome, number][])('%s → %i', (outcome, code) => {
    expect(exitCodeForOutcome(outcome)).toBe(code);
  });

  it('has the contract exit codes', () => {
    expect(ExitCode).toEqual({ ok: 0, runtimeError: 1, badInput: 2, notFound: 3, failed: 10, timedOut: 11, trackingCancelled: 12 });
  });
});
