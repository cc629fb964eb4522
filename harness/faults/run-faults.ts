/**
 * `npm run test:faults`: the fault tier at full size (200 orders per scenario, links broken 60 s),
 * every scenario unless `--scenario` names some. Prints the report; exit 1 on any problem, 2 on bad
 * arguments. `npm test` plays a shortened run (test/integration/faults.test.ts).
 *
 *   npm run test:faults -- [--orders N] [--fault-seconds S] [--scenario NAME]… [--seed N] [--keep]
 */
import { given, readArguments, runScript, wholeNumber } from '../../common/arguments';
import { InvalidInputError } from '../../common/order-input';
import { FULL_SIZE, type FaultRunOptions, runFaultTier } from './fault-run';
import { formatFaultReport } from './fault-report';
import { SCENARIOS, scenarioNamed } from './scenarios';

const OPTIONS = {
  orders: { type: 'string' },
  'fault-seconds': { type: 'string' },
  scenario: { type: 'string', multiple: true },
  seed: { type: 'string' },
  keep: { type: 'boolean' },
} as const;

const USAGE = `use [--orders N] [--fault-seconds S] [--scenario NAME]… [--seed N] [--keep]; scenarios: ${SCENARIOS.map((scenario) => scenario.name).join(', ')}`;

export function parseFaultArguments(argv: string[]): FaultRunOptions {
  const { values, positionals } = readArguments(argv, OPTIONS, USAGE);
  if (positionals.length > 0) throw new InvalidInputError(`unexpected argument ${JSON.stringify(positionals[0])}\n${USAGE}`);
  const whole = (name: 'orders' | 'fault-seconds' | 'seed', minimum: number) => (values[name] === undefined ? undefined : wholeNumber(`--${name}`, values[name], minimum));
  const faultSeconds = whole('fault-seconds', 1);
  const scenarios = values.scenario ?? SCENARIOS.map((scenario) => scenario.name);
  for (const name of scenarios) {
    try {
      scenarioNamed(name);
    } catch (error) {
      throw new InvalidInputError(`invalid --scenario: ${(error as Error).message}`);
    }
  }
  return {
    ...FULL_SIZE,
    scenarios,
    ...given({ orders: whole('orders', 6), faultMs: faultSeconds === undefined ? undefined : faultSeconds * 1000, seed: whole('seed', 0) }),
    ...(values.keep && { keepWorkDir: true }),
  };
}

if (require.main === module) {
  runScript(
    'test:faults',
    () => ({ ...parseFaultArguments(process.argv.slice(2)), log: (line: string) => console.log(line) }),
    async (options) => {
      const report = await runFaultTier(options);
      console.log(formatFaultReport(report));
      return report.problems.length === 0 ? 0 : 1;
    },
  );
}
