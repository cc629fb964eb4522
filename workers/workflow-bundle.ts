/**
 * Workflows bundled ahead of time. A worker bundles `workflows/` with webpack when it starts: tens of
 * CPU-seconds on a small machine, paid again at every restart. `order-tracker bundle-workflows <dir>`
 * writes the bundle once (the worker image does it at build time; the crash and cluster tests once
 * per run) and a worker started with `WORKFLOW_BUNDLE=<dir>` loads it instead.
 *
 * The workflow sandbox's failure converter and its interceptors come with the bundle, so the folder
 * holds one bundle per pair: failures plain or encrypted (`ORDER_TRACKER_ENCRYPTION_KEY` set), and
 * traced or not (OTEL_EXPORTER_OTLP_ENDPOINT set: Temporal's OpenTelemetry workflow interceptors).
 * The worker picks the one its configuration needs and refuses a folder that lacks it.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleWorkflowCode, type WorkflowBundleOption } from '@temporalio/worker';
import { ConfigError } from '../common/config';
import { TRACING_WORKFLOW_MODULE } from './tracing-interceptors';

const FAILURE_CONVERTER_PATH = require.resolve('../common/failure-converter');
/** Each variant: its file, its failure converter, its workflow interceptor modules. */
const VARIANTS = {
  plain: ['workflows.js', undefined, []],
  'encrypted-failures': ['workflows-encrypted-failures.js', FAILURE_CONVERTER_PATH, []],
  traced: ['workflows-traced.js', undefined, [TRACING_WORKFLOW_MODULE]],
  'traced-encrypted-failures': ['workflows-traced-encrypted-failures.js', FAILURE_CONVERTER_PATH, [TRACING_WORKFLOW_MODULE]],
} as const;
export type BundleVariant = keyof typeof VARIANTS;

/** The variant a worker needs: with encrypted failures or not, traced or not. */
export function bundleVariant(encryptedFailures: boolean, traced: boolean): BundleVariant {
  if (traced) return encryptedFailures ? 'traced-encrypted-failures' : 'traced';
  return encryptedFailures ? 'encrypted-failures' : 'plain';
}

/** Writes the bundles into `dir` (every variant unless told which); resolves with their paths. */
export async function writeWorkflowBundles(dir: string, variants: readonly BundleVariant[] = Object.keys(VARIANTS) as BundleVariant[]): Promise<string[]> {
  const folder = resolve(dir);
  mkdirSync(folder, { recursive: true });
  const workflowsPath = require.resolve('../workflows');
  const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const written: string[] = [];
  for (const [file, failureConverterPath, workflowInterceptorModules] of variants.map((variant) => VARIANTS[variant])) {
    const { code } = await bundleWorkflowCode({ workflowsPath, failureConverterPath, workflowInterceptorModules: [...workflowInterceptorModules], logger: quiet });
    const path = join(folder, file);
    writeFileSync(path, code);
    written.push(path);
  }
  return written;
}

/** The bundle a worker loads from `WORKFLOW_BUNDLE`, or undefined to bundle at start. */
export function workflowBundleFrom(dir: string | undefined, encryptedFailures: boolean, traced = false): WorkflowBundleOption | undefined {
  if (dir === undefined) return undefined;
  const codePath = join(resolve(dir), VARIANTS[bundleVariant(encryptedFailures, traced)][0]);
  if (!existsSync(codePath)) {
    throw new ConfigError(`WORKFLOW_BUNDLE: ${codePath} does not exist; write it with \`order-tracker bundle-workflows ${dir}\``);
  }
  return { codePath };
}
