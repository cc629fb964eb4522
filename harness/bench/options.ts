import { given, listOf, oneOf, positiveNumber, readArguments } from '../../common/arguments';
import { InvalidInputError } from '../../common/order-input';
import type { SqliteJournal } from './temporal-server';
import { CONTENDER_NAMES, type ContenderName, type ExistingServer } from './contenders/contender';

export interface BenchOptions {
  orders: number;
  /** `corpus`: the realistic mix of the four providers; `prompts`: MiracleCash prompts left pending for their 24 h (issue 28). */
  workload: 'corpus' | 'prompts';
  timeScale: number;
  contenders: ContenderName[];
  /** In-flight sizes of the scaling curve; empty: no curve. */
  scaling: number[];
  scalingContenders: ContenderName[];
  /** Real seconds over which a scaling point's orders are created, and of its measuring window. */
  scalingArrivalSeconds: number;
  scalingMeasureSeconds: number;
  /** The scaling points' time scale; by default 120, and 12 from 5,000 in flight. */
  scalingTimeScale?: number;
  /** Unscaled window over which orders are created. */
  arrivalWindowMs: number;
  killAtFraction: number;
  /** Run the contenders side by side (each with its own sandbox, server and processes) instead of one after another. */
  parallel: boolean;
  seed: number;
  /** A results.json whose scaling curve is reused instead of running the curve again. */
  scalingFrom?: string;
  /** A results.json of a run at capacity (the full corpus past the server's ceiling), shown beside this one. */
  capacityFrom?: string;
  /**
   * `--temporal-address` (and `--temporal-pid`): the scaling point runs on this server, e.g. a cluster
   * from `npm run cluster`. Only one point (one size, one contender) and no corpus run: the orders
   * of a point stay on the server, and a second point's worker would take them up.
   */
  existingServer?: ExistingServer;
  /** The dev servers' SQLite journal: `wal` (the default, as `npm start`'s) or `delete` (SQLite's default, to compare). */
  sqliteJournal: SqliteJournal;
  outputDir: string;
  workDir?: string;
}

export const DEFAULT_OPTIONS: Omit<BenchOptions, 'outputDir'> = {
  orders: 1_000,
  workload: 'corpus',
  timeScale: 120,
  contenders: [...CONTENDER_NAMES],
  scaling: [100, 1_000, 10_000],
  scalingContenders: ['order-tracker', 'temporal-bare-loop'],
  sqliteJournal: 'wal',
  scalingArrivalSeconds: 30,
  scalingMeasureSeconds: 60,
  arrivalWindowMs: 30 * 60_000,
  killAtFraction: 0.3,
  parallel: false,
  seed: 7,
};

const USAGE = `npm run bench -- [--orders 1000] [--workload corpus|prompts] [--kill-at 0.3] [--time-scale 120] [--contenders a,b|none] [--scaling 100,1000,10000|none] [--scaling-contenders a,b] [--scaling-seconds 60] [--scaling-time-scale 120] [--scaling-from results.json] [--capacity-from results.json] [--arrival-minutes 30] [--parallel] [--quick] [--seed 7] [--out harness/bench] [--temporal-address host:port [--temporal-pid PID]] [--sqlite-journal wal|delete]
contenders: ${CONTENDER_NAMES.join(', ')}`;

const BENCH_OPTIONS = {
  orders: { type: 'string' },
  workload: { type: 'string' },
  'kill-at': { type: 'string' },
  'time-scale': { type: 'string' },
  contenders: { type: 'string' },
  scaling: { type: 'string' },
  quick: { type: 'boolean' },
  'scaling-contenders': { type: 'string' },
  'scaling-seconds': { type: 'string' },
  'scaling-time-scale': { type: 'string' },
  'arrival-minutes': { type: 'string' },
  'scaling-from': { type: 'string' },
  'capacity-from': { type: 'string' },
  parallel: { type: 'boolean' },
  seed: { type: 'string' },
  out: { type: 'string' },
  'temporal-address': { type: 'string' },
  'temporal-pid': { type: 'string' },
  'sqlite-journal': { type: 'string' },
  help: { type: 'boolean' },
} as const;

/** `--quick`: a few minutes end to end (fewer orders, a higher scale, a small curve); other options still apply over it. */
const QUICK: Partial<BenchOptions> = { orders: 200, timeScale: 240, scaling: [100, 1_000], scalingMeasureSeconds: 30 };

export function parseOptions(argv: readonly string[], outputDir: string): BenchOptions {
  const { values, positionals } = readArguments(argv, BENCH_OPTIONS, USAGE);
  if (values.help) throw new InvalidInputError(USAGE);
  if (positionals.length > 0) throw new InvalidInputError(`unexpected argument ${JSON.stringify(positionals[0])}\n${USAGE}`);
  const number = (name: keyof typeof values) => {
    const text = values[name];
    return typeof text === 'string' ? positiveNumber(`--${name}`, text) : undefined;
  };
  const whole = (name: keyof typeof values) => {
    const value = number(name);
    return value === undefined ? undefined : Math.round(value);
  };
  const address = values['temporal-address'];
  if (address !== undefined && !/^[^\s:]+:\d{1,5}$/.test(address)) throw new InvalidInputError(`invalid --temporal-address ${JSON.stringify(address)}: use host:port`);
  const pid = whole('temporal-pid');
  if (pid !== undefined && address === undefined) throw new InvalidInputError(`--temporal-pid needs --temporal-address\n${USAGE}`);
  const arrivalMinutes = number('arrival-minutes');
  const options: BenchOptions = {
    ...DEFAULT_OPTIONS,
    outputDir,
    ...(values.quick ? QUICK : {}),
    ...given({
      orders: whole('orders'),
      workload: values.workload === undefined ? undefined : oneOf('--workload', values.workload, ['corpus', 'prompts'] as const),
      killAtFraction: values['kill-at'] === undefined ? undefined : killFraction(values['kill-at']),
      timeScale: number('time-scale'),
      contenders: values.contenders === undefined ? undefined : listOf('--contenders', values.contenders, CONTENDER_NAMES),
      scaling: values.scaling === undefined ? undefined : scalingSizes(values.scaling),
      scalingContenders: values['scaling-contenders'] === undefined ? undefined : listOf('--scaling-contenders', values['scaling-contenders'], CONTENDER_NAMES),
      scalingMeasureSeconds: number('scaling-seconds'),
      scalingTimeScale: number('scaling-time-scale'),
      arrivalWindowMs: arrivalMinutes === undefined ? undefined : arrivalMinutes * 60_000,
      scalingFrom: values['scaling-from'],
      capacityFrom: values['capacity-from'],
      parallel: values.parallel,
      seed: whole('seed'),
      outputDir: values.out,
      existingServer: address === undefined ? undefined : { address, ...(pid === undefined ? {} : { pid }) },
      sqliteJournal: values['sqlite-journal'] === undefined ? undefined : oneOf('--sqlite-journal', values['sqlite-journal'], ['wal', 'delete'] as const),
    }),
  };
  if (options.existingServer !== undefined) {
    if (options.scaling.length !== 1 || options.scalingContenders.length !== 1) {
      throw new InvalidInputError('--temporal-address runs one scaling point: give one --scaling size and one --scaling-contenders name');
    }
    // The corpus run starts a dev server per contender; on an existing server it is left out.
    options.contenders = [];
    // Never over the recorded run's results: its own folder unless --out says otherwise.
    if (options.outputDir === outputDir) options.outputDir = `${outputDir}/cluster`;
  }
  return options;
}

/** `--kill-at 0.3`: the fraction of orders fulfilled at which the worker is SIGKILLed; 0: no kill. */
function killFraction(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new InvalidInputError(`invalid --kill-at ${JSON.stringify(text)}: a fraction from 0 (no kill) to 1`);
  return value;
}

/** `--scaling 100,1000,10000` (in-flight sizes), or `none`. */
function scalingSizes(text: string): number[] {
  return text === 'none' ? [] : text.split(',').map((size) => Math.round(positiveNumber('--scaling', size)));
}
