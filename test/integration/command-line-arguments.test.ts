/**
 * The benchmark and the crash, cluster and fault tests, run as commands: a bad argument is bad input (exit
 * code 2, as the CLI's), with a message naming the option, before anything starts. The parsing itself
 * is tested in test/unit/arguments.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
describe('run from the command line', () => {
  const root = join(__dirname, '..', '..');
  test.each([
    ['bench', 'harness/bench/run.ts'],
    ['crash-test', 'harness/crash/crash-test.ts'],
    ['cluster-test', 'harness/cluster/cluster-test.ts'],
    ['test:faults', 'harness/faults/run-faults.ts'],
  ])('%s exits 2 on a bad argument, naming it, and starts nothing', (name, script) => {
    const run = spawnSync(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, script), '--orders', 'zero'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${name}: invalid --orders "zero"`);
  }, 90_000);
});
