import { restrictedImports } from '../helpers/lint-probe';

/** Workflow code stays deterministic: eslint.config.js's import rules for workflows/, on probe files (lint-probe.ts). */
const WORKFLOW_FILE = 'workflows/probe.ts';
const NESTED_WORKFLOW_FILE = 'workflows/nested/probe.ts';
const NON_WORKFLOW_FILE = 'activities/probe.ts';

describe('eslint.config.js: workflow imports', () => {
  it.each([
    ['node:fs', "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n", 'no Node built-ins'],
    ['fs', "import * as fs from 'fs';\nexport const read = fs.readFileSync;\n", 'no Node built-ins'],
    ['node:crypto', "import { randomUUID } from 'node:crypto';\nexport const id = randomUUID;\n", 'no Node built-ins'],
    ['path (re-exported)', "export { join } from 'path';\n", 'no Node built-ins'],
    [
      'the Magma client',
      "import { createMagmaAdapter } from '../providers/magma/magma-client';\nexport const adapter = createMagmaAdapter;\n",
      'never imports providers',
    ],
    [
      'a provider type (import type)',
      "import type { ProviderAdapter } from '../providers/provider';\nexport type Adapter = ProviderAdapter;\n",
      'never imports providers',
    ],
    ['common/config', "import { loadConfig } from '../common/config';\nexport const load = loadConfig;\n", 'never imports providers'],
    ['the ledger', "import { openLedger } from '../storage/open-database';\nexport const open = openLedger;\n", 'never imports providers'],
    ['the callback sender', "import { createCallbackSender } from '../callbacks/callback-sender';\nexport const sender = createCallbackSender;\n", 'never imports providers'],
    ['undici', "import { fetch } from 'undici';\nexport const get = fetch;\n", 'imports only @temporalio/workflow'],
    ['graphql-request', "import { GraphQLClient } from 'graphql-request';\nexport const Client = GraphQLClient;\n", 'imports only @temporalio/workflow'],
    ['@temporalio/activity', "import { Context } from '@temporalio/activity';\nexport const context = Context;\n", 'imports only @temporalio/workflow'],
  ])('rejects %s in a workflow file', async (_name, code, message) => {
    const errors = await restrictedImports(code, WORKFLOW_FILE);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(message);
  });

  it.each([
    ['@temporalio/workflow', "import { sleep } from '@temporalio/workflow';\nexport const wait = sleep;\n"],
    ['../domain/types', "import type { Observation } from '../domain/types';\nexport type Seen = Observation;\n"],
    ['../domain/types (values)', "import { PROVIDER_NAMES } from '../domain/types';\nexport const names = PROVIDER_NAMES;\n"],
    ['@temporalio/common', "import { ApplicationFailure } from '@temporalio/common';\nexport const Failure = ApplicationFailure;\n"],
    ['import type of the activities', "import type { Activities } from '../activities';\nexport type Used = Activities;\n"],
  ])('allows %s in a workflow file', async (_name, code) => {
    expect(await restrictedImports(code, WORKFLOW_FILE)).toEqual([]);
  });

  it('applies to workflow files in sub-folders', async () => {
    const code = "import { createMagmaAdapter } from '../../providers/magma/magma-client';\nexport const adapter = createMagmaAdapter;\n";
    expect(await restrictedImports(code, NESTED_WORKFLOW_FILE)).toHaveLength(1);
  });

  it('applies only to workflow files: activities may import node:fs and undici', async () => {
    const code = "import { readFileSync } from 'node:fs';\nimport { fetch } from 'undici';\nexport const both = [readFileSync, fetch];\n";
    expect(await restrictedImports(code, NON_WORKFLOW_FILE)).toEqual([]);
    expect(await restrictedImports(code, WORKFLOW_FILE)).toHaveLength(2);
  });
});
