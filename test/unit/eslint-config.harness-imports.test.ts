import { ESLint, type Linter } from 'eslint';
import { join, resolve } from 'node:path';

/**
 * eslint.config.js keeps the harness apart: no product file imports harness/ (the bench, the crash,
 * cluster and fault runs), test/ or scripts/. Linted as in eslint-config.workflow-imports.test.ts:
 * the project's config handed over whole, without type information, on probe files not on disk.
 */
const PROJECT = resolve(__dirname, '..', '..');
const projectConfig = require(join(PROJECT, 'eslint.config.js')) as Linter.Config[];
const WITHOUT_TYPES: Linter.Config = {
  languageOptions: { parserOptions: { project: null } },
  rules: { '@typescript-eslint/no-floating-promises': 'off' },
};

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: PROJECT, overrideConfigFile: true, overrideConfig: [...projectConfig, WITHOUT_TYPES] });
});

async function restrictedImports(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  if (result === undefined) throw new Error('no lint result');
  const fatal = result.messages.filter((message) => message.fatal);
  if (fatal.length > 0) throw new Error(fatal.map((message) => message.message).join('\n'));
  return result.messages.filter((message) => message.ruleId === 'no-restricted-imports' && message.severity === 2).map((message) => message.message);
}

const PRODUCT_FOLDERS = ['workflows', 'domain', 'client', 'workers', 'activities', 'providers', 'storage', 'callbacks', 'common', 'cli', 'sandbox'];

describe('eslint.config.js: the product never imports the harness', () => {
  it.each(PRODUCT_FOLDERS)('rejects harness/, test/ and scripts/ in %s/', async (folder) => {
    const code = [
      "import type { BenchOrder } from '../harness/workload/corpus';",
      "import { runCrashTest } from '../harness/crash/crash-test';",
      "import type { CallbackReceiver } from '../test/helpers/callback-receiver';",
      "import { dynamicConfigYaml } from '../scripts/config-table';",
      'export type Used = [BenchOrder, CallbackReceiver, typeof runCrashTest, typeof dynamicConfigYaml];',
      '',
    ].join('\n');
    const errors = await restrictedImports(code, `${folder}/probe.ts`);
    expect(errors).toHaveLength(4);
    for (const error of errors) expect(error).toContain('never imports the harness');
  });

  it('lets the harness import the product', async () => {
    const code = "import { loadConfig } from '../../common/config';\nimport { openDatabase } from '../../storage/open-database';\nexport const both = [loadConfig, openDatabase];\n";
    expect(await restrictedImports(code, 'harness/crash/probe.ts')).toEqual([]);
  });
});
