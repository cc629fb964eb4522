import { readFileSync } from 'node:fs';
import { README_PATH, readmeWithTable } from '../../scripts/config-table';
import { environmentSchema } from '../../common/config';

test('the README configuration table matches the config schema (npx tsx scripts/config-table.ts --write)', () => {
  const readme = readFileSync(README_PATH, 'utf8');
  expect(readmeWithTable(readme)).toBe(readme);
});

test('every variable of the schema is documented in the README', () => {
  const readme = readFileSync(README_PATH, 'utf8');
  for (const name of Object.keys(environmentSchema.shape)) expect(readme).toContain(`| \`${name}\` |`);
});
