/** Every folder of tests is a jest project (a tier) that `npm test` runs and an npm script runs alone. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const NOT_TIERS = new Set(['helpers', 'histories']);
const jestConfig = require(join(ROOT, 'jest.config.js')) as { maxWorkers: number; testTimeout: number; projects: Record<string, unknown>[] };
const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const folders = readdirSync(join(ROOT, 'test'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !NOT_TIERS.has(entry.name))
  .map((entry) => entry.name);

test('each test folder is one jest project, rooted there', () => {
  expect(jestConfig.projects.map((project) => project.displayName).sort()).toEqual([...folders].sort());
  for (const project of jestConfig.projects) expect(project.roots).toEqual([`<rootDir>/test/${String(project.displayName)}`]);
});

// The cluster tier's npm script is the full-size cluster test (harness/cluster/cluster-test.ts); npm test runs its small size.
test.each(folders.filter((folder) => folder !== 'cluster'))('npm run test:%s runs that tier alone', (tier) => {
  expect(scripts[`test:${tier}`]).toMatch(new RegExp(`(^|&& )jest --selectProjects ${tier} --ci$`));
});

test('npm test runs every tier in one jest, on two workers, with the five-minute test timeout', () => {
  expect(scripts.test).toBe('bash scripts/test.sh');
  expect(readFileSync(join(ROOT, 'scripts', 'test.sh'), 'utf8')).toMatch(/^npx jest --ci "\$@"$/m);
  expect(jestConfig.maxWorkers).toBe(2);
  expect(jestConfig.testTimeout).toBe(300_000);
  // In a project jest ignores them without a word: the timeout fell back to 5 s.
  for (const project of jestConfig.projects) for (const global of ['maxWorkers', 'testTimeout']) expect(project).not.toHaveProperty(global);
});
