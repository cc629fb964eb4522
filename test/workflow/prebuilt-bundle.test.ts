/**
 * The image's path, end to end: the code `npm run build` compiles, the workflows bundled by the
 * compiled CLI in a process without tsx (as `npx order-tracker bundle-workflows` runs in the image),
 * and a worker given that folder as WORKFLOW_BUNDLE loading the bundle file and running an order.
 * Also the package's surface: `order-tracker` and `order-tracker/worker` resolve through the
 * `exports` map to the compiled entry points, and deep paths do not.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Ledger } from '../../storage/ledger/ledger';
import { OrderTracker } from '../../client/order-tracker';
import { workflowBundleFrom } from '../../workers/workflow-bundle';
import { startMagmaSandbox, type MagmaSandbox } from '../../sandbox/magma';
import { createTimeSkippingEnvironment } from '../helpers/environments';
import { magmaProviders, temporaryLedger, uniqueId, withWorkers } from '../helpers/worker-stack';

const ROOT = resolve(__dirname, '..', '..');
const BUILD = join(ROOT, 'test-output', 'build');
const BUNDLE_DIR = join(BUILD, 'workflow-bundle');
const API_KEY = 'prebuilt-bundle-test-key';
const TASK_QUEUE = 'prebuilt-bundle-test';

/** Makes `tsx` unresolvable, as in the image (installed with --omit=dev). */
const WITHOUT_TSX = `
const Module = require('node:module');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'tsx' || request.startsWith('tsx/')) throw Object.assign(new Error('no tsx here'), { code: 'MODULE_NOT_FOUND' });
  return resolveFilename.call(this, request, ...rest);
};
`;

let environment: TestWorkflowEnvironment;
let sandbox: MagmaSandbox;
let ledger: Ledger;
let bundleOutput: string;
let exportsOutput: string;

/** Run from inside the built package: a self-reference resolves through package.json's `exports`. */
const CHECK_EXPORTS = `
const library = require('order-tracker');
const worker = require('order-tracker/worker');
let deep;
try {
  require('order-tracker/dist/activities/index.js');
  deep = 'resolved';
} catch (error) {
  deep = error.code;
}
process.stdout.write(JSON.stringify({
  library: Object.keys(library).sort(),
  worker: Object.keys(worker).sort(),
  orderTracker: typeof library.OrderTracker,
  workflowId: library.orderWorkflowId('magma', 'm-1'),
  runWorkerProcess: typeof worker.runWorkerProcess,
  deep,
}));
`;

beforeAll(async () => {
  rmSync(BUILD, { recursive: true, force: true });
  mkdirSync(join(BUILD, 'bin'), { recursive: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', join(BUILD, 'dist')], { cwd: ROOT, stdio: 'pipe' });
  // bin/ beside dist/, as the image lays them out.
  copyFileSync(join(ROOT, 'bin', 'order-tracker.js'), join(BUILD, 'bin', 'order-tracker.js'));
  writeFileSync(join(BUILD, 'without-tsx.js'), WITHOUT_TSX);
  const environmentWithoutHooks = { ...process.env, NODE_OPTIONS: '' };
  copyFileSync(join(ROOT, 'package.json'), join(BUILD, 'package.json'));
  writeFileSync(join(BUILD, 'check-exports.js'), CHECK_EXPORTS);
  exportsOutput = execFileSync(process.execPath, ['--require', join(BUILD, 'without-tsx.js'), join(BUILD, 'check-exports.js')], { cwd: BUILD, env: { ...process.env, NODE_OPTIONS: '' }, encoding: 'utf8' });
  bundleOutput = execFileSync(process.execPath, ['--require', join(BUILD, 'without-tsx.js'), join(BUILD, 'bin', 'order-tracker.js'), 'bundle-workflows', BUNDLE_DIR], { cwd: BUILD, env: environmentWithoutHooks, encoding: 'utf8' });

  environment = await createTimeSkippingEnvironment();
  sandbox = await startMagmaSandbox({ apiKey: API_KEY });
  ledger = (await temporaryLedger()).ledger;
});

afterAll(async () => {
  await sandbox?.close();
  await ledger?.close();
  await environment?.teardown();
});

test('the compiled CLI, without tsx, writes every bundle: failures plain or encrypted, traced or not', () => {
  const files = ['workflows.js', 'workflows-encrypted-failures.js', 'workflows-traced.js', 'workflows-traced-encrypted-failures.js'];
  expect(bundleOutput.trim().split('\n')).toEqual(files.map((file) => `wrote ${join(BUNDLE_DIR, file)}`));
});

test('backend code imports order-tracker and order-tracker/worker (the exports map), never deep paths', () => {
  const surface = JSON.parse(exportsOutput) as Record<string, unknown>;
  expect(surface).toMatchObject({ orderTracker: 'function', workflowId: 'order:magma:m-1', runWorkerProcess: 'function', deep: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
  expect(surface.library).toEqual(expect.arrayContaining(['OrderTracker', 'connectClient', 'loadConfig', 'OrderNotFoundError', 'InvalidInputError']));
  // The ledger is the worker side's: the library reads a final outcome from Temporal.
  expect(surface.library).not.toContain('openLedger');
  expect(surface.worker).toEqual(expect.arrayContaining(['runWorkerProcess', 'createWorkers', 'loadConfig', 'openLedger']));
});

test('the compiled code keeps its data in the project folder, not in dist/', () => {
  const compiledConfig = require(join(BUILD, 'dist', 'common', 'config.js')) as typeof import('../../common/config');
  const config = compiledConfig.loadConfig({});
  expect(config.dataDirectory).toBe(join(BUILD, '.data'));
  expect(config.databaseUrl).toBe(`sqlite:${join(BUILD, '.data', 'ledger.sqlite')}`);
});

test('a worker given WORKFLOW_BUNDLE loads the bundle file and runs an order to its end', async () => {
  const workflowBundle = workflowBundleFrom(BUNDLE_DIR, false);
  expect(workflowBundle).toEqual({ codePath: join(BUNDLE_DIR, 'workflows.js') });
  const orderId = uniqueId('prebuilt');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT', requests: 1 }, { status: 'VALID_CHANNEL_OPENING' }] });
  const tracker = new OrderTracker({ client: environment.client, taskQueue: TASK_QUEUE, ledger });
  const result = await withWorkers(
    { connection: environment.nativeConnection, taskQueue: TASK_QUEUE, providers: magmaProviders(sandbox.url, API_KEY), ledger, workflowBundle },
    async () => {
      await tracker.track('magma', orderId);
      return tracker.result('magma', orderId);
    },
  );
  expect(result.outcome).toBe('succeeded');
});
