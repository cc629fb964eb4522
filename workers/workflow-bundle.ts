/**
 * Workflows bundled ahead of time. A worker bundles `workflows/` with webpack when it starts: tens of
 * CPU-seconds on a small machine, paid again at every restart. `order-tracker bundle-workflows <dir>`
 * writes the bundle once (the worker image does it at build time; the crash and cluster tests once
 * per run) and a worker started with `WORKFLOW_BUNDLE=<dir>` loads it instead.
 *
 * The workflow sandbox's failure converter comes with the bundle, so the folder holds one bundle per
 * converter: plain, and with failures encrypted (`ORDER_TRACKER_ENCRYPTION_KEY` set). The worker picks
 * the one its configuration needs and refuses a folder that lacks it.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleWorkflowCode, type WorkflowBundleOption } from '@temporalio/worker';
import { ConfigError } from '../common/config';

const FAILURE_CONVERTER_PATH = require.resolve('../common/failure-converter');
const PLAIN = 'workflows.js';
const ENCRYPTED_FAILURES = 'workflows-encrypted-failures.js';
const VARIANTS = { plain: [PLAIN, undefined], 'encrypted-failures': [ENCRYPTED_FAILURES, FAILURE_CONVERTER_PATH] } as const;
export type BundleVariant = keyof typeof VARIANTS;

/** Writes the bundles into `dir` (both unless told which); resolves with their paths. */
export async function writeWorkflowBundles(dir: string, variants: readonly BundleVariant[] = ['plain', 'encrypted-failures']): Promise<string[]> {
  const folder = resolve(dir);
  mkdirSync(folder, { recursive: true });
  const workflowsPath = require.resolve('../workflows');
  const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const written: string[] = [];
  for (const [file, failureConverterPath] of variants.map((variant) => VARIANTS[variant])) {
    const { code } = await bundleWorkflowCode({ workflowsPath, failureConverterPath, logger: quiet });
    const path = join(folder, file);
    writeFileSync(path, code);
    written.push(path);
  }
  return written;
}

/** The bundle a worker loads from `WORKFLOW_BUNDLE`, or undefined to bundle at start. */
export function workflowBundleFrom(dir: string | undefined, encryptedFailures: boolean): WorkflowBundleOption | undefined {
  if (dir === undefined) return undefined;
  const codePath = join(resolve(dir), encryptedFailures ? ENCRYPTED_FAILURES : PLAIN);
  if (!existsSync(codePath)) {
    throw new ConfigError(`WORKFLOW_BUNDLE: ${codePath} does not exist; write it with \`order-tracker bundle-workflows ${dir}\``);
  }
  return { codePath };
}
