import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../common/config';
import { workflowBundleFrom } from '../../workers/workflow-bundle';

describe('WORKFLOW_BUNDLE', () => {
  it('is optional: without it the worker bundles at start', () => {
    expect(workflowBundleFrom(undefined, false)).toBeUndefined();
  });

  it('picks the bundle of the failure converter the configuration needs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bundle-'));
    writeFileSync(join(dir, 'workflows.js'), '');
    writeFileSync(join(dir, 'workflows-encrypted-failures.js'), '');
    expect(workflowBundleFrom(dir, false)).toEqual({ codePath: join(dir, 'workflows.js') });
    expect(workflowBundleFrom(dir, true)).toEqual({ codePath: join(dir, 'workflows-encrypted-failures.js') });
  });

  it('refuses a folder without the bundle it needs, naming the variable and the command that writes it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bundle-'));
    writeFileSync(join(dir, 'workflows.js'), '');
    expect(() => workflowBundleFrom(dir, true)).toThrow(ConfigError);
    expect(() => workflowBundleFrom(dir, true)).toThrow(/WORKFLOW_BUNDLE: .*workflows-encrypted-failures\.js does not exist; write it with `order-tracker bundle-workflows/);
  });
});
