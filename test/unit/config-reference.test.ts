import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_REFERENCE_PATH, pageWithTable } from '../../scripts/config-table';
import { environmentSchema } from '../../common/config';

const README_PATH = join(__dirname, '..', '..', 'README.md');
const VARIABLES = Object.keys(environmentSchema.shape);

test('the configuration table of docs/operations.md matches the config schema (npx tsx scripts/config-table.ts --write)', () => {
  const page = readFileSync(CONFIG_REFERENCE_PATH, 'utf8');
  expect(pageWithTable(page)).toBe(page);
});

test('every variable of the schema is documented in docs/operations.md', () => {
  const page = readFileSync(CONFIG_REFERENCE_PATH, 'utf8');
  for (const name of VARIABLES) expect(page).toContain(`| \`${name}\` |`);
});

test('the configuration section of the README links to the reference and names only variables the schema knows', () => {
  const readme = readFileSync(README_PATH, 'utf8');
  const start = readme.indexOf('\n## Configuration\n');
  expect(start).toBeGreaterThanOrEqual(0);
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  expect(section).toContain('(docs/operations.md#configuration)');
  const named = [...section.matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`/g)].map((match) => match[1] as string);
  expect(named.length).toBeGreaterThan(0);
  for (const name of named) expect(VARIABLES).toContain(name);
});
