/**
 * One way to read a command line, for the CLI, the benchmark and the crash and cluster tests:
 * node:util's `parseArgs`, strict (an unknown option, or a value missing, is an error; `--name value`
 * and `--name=value` both work), then typed readers that refuse a bad value with an error naming
 * the option: `invalid --orders "ten": use a whole number from 6`. Every error is an
 * InvalidInputError, which each command reports as bad input (exit code 2).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { InvalidInputError } from './order-input';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;
export type ParsedArguments<T extends OptionSpecs> = ReturnType<typeof parseArgs<{ options: T; allowPositionals: true; strict: true }>>;

/** The options and positionals of `argv`; a parse error carries `usage` after its message. */
export function readArguments<const T extends OptionSpecs>(argv: readonly string[], options: T, usage: string): ParsedArguments<T> {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    if (!isParseArgsError(error)) throw error;
    throw new InvalidInputError(`${(error as Error).message}${usage ? `\n${usage}` : ''}`);
  }
}

export function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/** A whole number within [minimum, maximum]. */
export function wholeNumber(name: string, text: string, minimum = 0, maximum = Number.MAX_SAFE_INTEGER): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < minimum || value > maximum) {
    const range = maximum === Number.MAX_SAFE_INTEGER ? `from ${minimum}` : `${minimum}-${maximum}`;
    throw new InvalidInputError(`invalid ${name} ${JSON.stringify(text)}: use a whole number ${range}`);
  }
  return value;
}

/** A finite number above zero (fractions allowed). */
export function positiveNumber(name: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !(value > 0 && Number.isFinite(value))) {
    throw new InvalidInputError(`invalid ${name} ${JSON.stringify(text)}: use a number above 0`);
  }
  return value;
}

/** One of `choices`. */
export function oneOf<T extends string>(name: string, text: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) throw new InvalidInputError(`invalid ${name} ${JSON.stringify(text)}: use ${choices.join(', ')}`);
  return text as T;
}

/** A comma-separated list, each item one of `choices`; `none` is the empty list. */
export function listOf<T extends string>(name: string, text: string, choices: readonly T[]): T[] {
  if (text === 'none') return [];
  const items = text.split(',').map((item) => item.trim()).filter(Boolean);
  for (const item of items) oneOf(name, item, choices);
  return items as T[];
}

/** The options given, the others left out (so a spread over defaults keeps them). */
export function given<T extends Record<string, unknown>>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/**
 * A script's entry point (the benchmark, the crash and cluster tests): arguments it cannot read exit
 * 2 with the message, a run that throws exits 1, and otherwise the run's own exit code.
 */
export function runScript<Options>(name: string, parse: () => Options, run: (options: Options) => Promise<number>): void {
  let options: Options;
  try {
    options = parse();
  } catch (error) {
    console.error(`${name}: ${(error as Error).message}`);
    process.exit(2);
  }
  run(options).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exit(1);
    },
  );
}
