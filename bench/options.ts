import type { SqliteJournal } from './temporal-server';
import { CONTENDER_NAMES, type ContenderName, type ExistingServer } from './contenders/contender';

export interface BenchOptions {
  orders: number;
  timeScale: number;
  contenders: ContenderName[];
  /** In-flight sizes of the scaling curve; empty: no curve. */
  scaling: number[];
  scalingContenders: ContenderName[];
  /** Real seconds over which a scaling point's orders are created, and of its measuring window. */
  scalingArrivalSeconds: number;
  scalingMeasureSeconds: number;
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

const USAGE = `npm run bench -- [--orders 1000] [--time-scale 120] [--contenders a,b|none] [--scaling 100,1000,10000|none] [--scaling-contenders a,b] [--scaling-seconds 60] [--scaling-from results.json] [--capacity-from results.json] [--arrival-minutes 30] [--parallel] [--quick] [--seed 7] [--out bench] [--temporal-address host:port [--temporal-pid PID]] [--sqlite-journal wal|delete]
contenders: ${CONTENDER_NAMES.join(', ')}`;

export function parseOptions(argv: readonly string[], outputDir: string): BenchOptions {
  const options: BenchOptions = { ...DEFAULT_OPTIONS, outputDir };
  for (let index = 0; index < argv.length; index += 1) {
    const flag = argv[index] as string;
    const value = (): string => {
      const next = argv[index + 1];
      if (next === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      index += 1;
      return next;
    };
    const positive = (text: string): number => {
      const number = Number(text);
      if (!(number > 0 && Number.isFinite(number))) throw new Error(`${flag}: expected a positive number, got ${JSON.stringify(text)}`);
      return number;
    };
    switch (flag) {
      case '--orders':
        options.orders = Math.round(positive(value()));
        break;
      case '--time-scale':
        options.timeScale = positive(value());
        break;
      case '--contenders': {
        // `none`: no corpus run, only the scaling curve.
        const text = value();
        const names = text === 'none' ? [] : text.split(',').map((name) => name.trim()).filter(Boolean);
        const unknown = names.filter((name) => !(CONTENDER_NAMES as readonly string[]).includes(name));
        if (unknown.length > 0) throw new Error(`unknown contender ${unknown.join(', ')}\n${USAGE}`);
        options.contenders = names as ContenderName[];
        break;
      }
      case '--scaling': {
        const text = value();
        options.scaling = text === 'none' ? [] : text.split(',').map((size) => Math.round(positive(size)));
        break;
      }
      case '--quick':
        // A few minutes end to end: fewer orders, a higher scale, a small curve.
        options.orders = 200;
        options.timeScale = 240;
        options.scaling = [100, 1_000];
        options.scalingMeasureSeconds = 30;
        break;
      case '--scaling-contenders': {
        const names = value().split(',').map((name) => name.trim()).filter(Boolean);
        const unknown = names.filter((name) => !(CONTENDER_NAMES as readonly string[]).includes(name));
        if (unknown.length > 0) throw new Error(`unknown contender ${unknown.join(', ')}\n${USAGE}`);
        options.scalingContenders = names as ContenderName[];
        break;
      }
      case '--scaling-seconds':
        options.scalingMeasureSeconds = positive(value());
        break;
      case '--arrival-minutes':
        options.arrivalWindowMs = positive(value()) * 60_000;
        break;
      case '--scaling-from':
        options.scalingFrom = value();
        break;
      case '--capacity-from':
        options.capacityFrom = value();
        break;
      case '--parallel':
        options.parallel = true;
        break;
      case '--seed':
        options.seed = Math.round(positive(value()));
        break;
      case '--out':
        options.outputDir = value();
        break;
      case '--temporal-address': {
        const address = value();
        if (!/^[^\s:]+:\d{1,5}$/.test(address)) throw new Error(`--temporal-address: expected host:port, got ${JSON.stringify(address)}`);
        options.existingServer = { ...options.existingServer, address };
        break;
      }
      case '--temporal-pid':
        options.existingServer = { address: options.existingServer?.address ?? '', pid: Math.round(positive(value())) };
        break;
      case '--sqlite-journal': {
        const journal = value();
        if (journal !== 'wal' && journal !== 'delete') throw new Error(`--sqlite-journal: expected wal or delete, got ${JSON.stringify(journal)}`);
        options.sqliteJournal = journal;
        break;
      }
      case '--help':
        throw new Error(USAGE);
      default:
        throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
  }
  if (options.existingServer !== undefined) {
    if (options.existingServer.address === '') throw new Error(`--temporal-pid needs --temporal-address\n${USAGE}`);
    if (options.scaling.length !== 1 || options.scalingContenders.length !== 1) {
      throw new Error('--temporal-address runs one scaling point: give one --scaling size and one --scaling-contenders name');
    }
    // The corpus run starts a dev server per contender; on an existing server it is left out.
    options.contenders = [];
    // Never over the recorded run's results: its own folder unless --out says otherwise.
    if (options.outputDir === outputDir) options.outputDir = `${outputDir}/cluster`;
  }
  return options;
}
