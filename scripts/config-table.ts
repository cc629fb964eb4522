/**
 * The configuration table of docs/operations.md, generated from the config schema (common/config.ts)
 * so the two cannot drift. `npx tsx scripts/config-table.ts --write` rewrites it there;
 * test/unit/config-reference.test.ts fails when the page is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT, environmentSchema } from '../common/config';

export const CONFIG_REFERENCE_PATH = join(__dirname, '..', 'docs', 'operations.md');
const START = '<!-- config-table:start -->';
const END = '<!-- config-table:end -->';

export function configurationTable(): string {
  const rows = Object.entries(environmentSchema.shape).map(([name, schema]) => {
    const parsed = schema.safeParse(undefined);
    const fallback =
      parsed.success && parsed.data !== undefined
        ? `\`${String(parsed.data).replace(PACKAGE_ROOT, '<project>')}\``
        : '';
    return `| \`${name}\` | ${fallback} | ${schema.description ?? ''} |`;
  });
  return ['| Variable | Default | Meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

/** The page with its table section replaced by the generated one. */
export function pageWithTable(page: string): string {
  const start = page.indexOf(START);
  const end = page.indexOf(END);
  if (start < 0 || end < start) throw new Error(`docs/operations.md lacks the ${START} … ${END} markers`);
  return `${page.slice(0, start + START.length)}\n${configurationTable()}\n${page.slice(end)}`;
}

if (require.main === module) {
  if (process.argv.includes('--write')) {
    writeFileSync(CONFIG_REFERENCE_PATH, pageWithTable(readFileSync(CONFIG_REFERENCE_PATH, 'utf8')));
  } else {
    process.stdout.write(`${configurationTable()}\n`);
  }
}
