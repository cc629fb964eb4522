/**
 * The README's configuration table, generated from the config schema (common/config.ts) so the two
 * cannot drift. `npx tsx scripts/config-table.ts --write` rewrites it in README.md;
 * test/unit/readme-config.test.ts fails when the README is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { environmentSchema } from '../common/config';

export const README_PATH = join(__dirname, '..', 'README.md');
const START = '<!-- config-table:start -->';
const END = '<!-- config-table:end -->';

export function configurationTable(): string {
  const rows = Object.entries(environmentSchema.shape).map(([name, schema]) => {
    const parsed = schema.safeParse(undefined);
    const fallback =
      parsed.success && parsed.data !== undefined
        ? `\`${String(parsed.data).replace(/^sqlite:\/.*\/\.data\//, 'sqlite:<project>/.data/')}\``
        : '';
    return `| \`${name}\` | ${fallback} | ${schema.description ?? ''} |`;
  });
  return ['| Variable | Default | Meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

/** The README with its table section replaced by the generated one. */
export function readmeWithTable(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the ${START} … ${END} markers`);
  return `${readme.slice(0, start + START.length)}\n${configurationTable()}\n${readme.slice(end)}`;
}

if (require.main === module) {
  if (process.argv.includes('--write')) {
    writeFileSync(README_PATH, readmeWithTable(readFileSync(README_PATH, 'utf8')));
  } else {
    process.stdout.write(`${configurationTable()}\n`);
  }
}
