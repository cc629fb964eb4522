/**
 * Lints a probe file against the project's own eslint.config.js, for the tests of its import rules.
 * The config is required here and handed over whole (`overrideConfigFile: true`) because ESLint's own
 * loader uses a dynamic import, which jest's sandbox refuses. One entry is added after it: no type
 * information, so a probe file that is not on disk (and not in the TS project) lints in well under a
 * second instead of building the whole typed program; the import rules under test need no types.
 */
import { ESLint, type Linter } from 'eslint';
import { join, resolve } from 'node:path';

const PROJECT = resolve(__dirname, '..', '..');
const WITHOUT_TYPES: Linter.Config = {
  languageOptions: { parserOptions: { project: null } },
  rules: { '@typescript-eslint/no-floating-promises': 'off' },
};

let eslint: ESLint | undefined;

/** The messages of `no-restricted-imports` errors for `code` linted as the project's file `filePath`. */
export async function restrictedImports(code: string, filePath: string): Promise<string[]> {
  const projectConfig = require(join(PROJECT, 'eslint.config.js')) as Linter.Config[];
  eslint ??= new ESLint({ cwd: PROJECT, overrideConfigFile: true, overrideConfig: [...projectConfig, WITHOUT_TYPES] });
  const [result] = await eslint.lintText(code, { filePath });
  if (result === undefined) throw new Error('no lint result');
  const fatal = result.messages.filter((message) => message.fatal);
  if (fatal.length > 0) throw new Error(fatal.map((message) => message.message).join('\n'));
  return result.messages.filter((message) => message.ruleId === 'no-restricted-imports' && message.severity === 2).map((message) => message.message);
}
