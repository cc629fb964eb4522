/**
 * Prometheus's own checks of what deploy/prometheus ships, with Debian's promtool (installed by
 * scripts/install-prometheus.sh when missing): the rules parse (`promtool check rules`), each alert
 * fires and stays quiet where its unit tests say (`promtool test rules`), and the example
 * configuration loads them (`promtool check config`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const PROMETHEUS_DIR = join(ROOT, 'deploy', 'prometheus');
/** apt-get on a fresh machine takes a while. */
const INSTALL_TIMEOUT_MS = 10 * 60_000;

let promtool = '';

beforeAll(() => {
  const bin = execFileSync('bash', [join(ROOT, 'scripts', 'install-prometheus.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  promtool = join(bin, 'promtool');
}, INSTALL_TIMEOUT_MS);

function run(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(promtool, args, { cwd: PROMETHEUS_DIR, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

test('promtool check rules: the rules file is valid', () => {
  const { status, output } = run('check', 'rules', 'order-tracker-rules.yml');
  expect(output).toContain('SUCCESS: 13 rules found');
  expect(status).toBe(0);
});

test('promtool test rules: every alert fires and stays quiet as its cases say', () => {
  const { status, output } = run('test', 'rules', 'order-tracker-rules.test.yml');
  expect(output).toContain('SUCCESS');
  expect(output).not.toContain('FAILED');
  expect(status).toBe(0);
});

test('promtool check config: the example configuration loads the rules', () => {
  const { status, output } = run('check', 'config', 'prometheus.example.yml');
  expect(output).toContain('SUCCESS');
  expect(status).toBe(0);
});
