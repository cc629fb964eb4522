import { restrictedImports } from '../helpers/lint-probe';

/**
 * eslint.config.js keeps the harness apart: no product file imports harness/ (the bench, the crash,
 * cluster and fault runs), test/ or scripts/. Linted on probe files not on disk (test/helpers/lint-probe.ts).
 */

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
