/** Re-renders results.md from results.json (after a change to the report): `npx tsx bench/render.ts [dir]`. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderMarkdown } from './report';
import type { BenchResults } from './run';

const directory = resolve(process.argv[2] ?? __dirname);
const results = JSON.parse(readFileSync(join(directory, 'results.json'), 'utf8')) as BenchResults;
writeFileSync(join(directory, 'results.md'), renderMarkdown(results));
