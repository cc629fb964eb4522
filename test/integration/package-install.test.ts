/**
 * The package as a backend team installs it: `npm pack`, then the tarball installed into fresh
 * projects outside the repository (from the npm registry, as anyone's install). The light install
 * (`npm install order-tracker`) brings the library and the CLI's order commands on
 * `@temporalio/client` and little else: counted, measured, no native module; a consumer compiled
 * with strict TypeScript (`skipLibCheck: false`) tracks a sandbox order to `succeeded` against a dev
 * server. The full install (with the optional peers, the worker side) runs an embedded worker with
 * a hook from a strictly compiled consumer, its ledger on PostgreSQL, and tracks an order through it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Ledger } from '../../storage/ledger/ledger';
import { type MagmaSandbox, startMagmaSandbox } from '../../sandbox/magma';
import { openLedger } from '../../storage/open-database';
import { createDevEnvironment } from '../helpers/environments';
import { startPostgresCluster } from '../../harness/servers/postgres';
import { type RunningWorkers, startWorkers } from '../helpers/running-workers';
import { magmaProviders, temporaryLedger, uniqueId } from '../helpers/worker-stack';
import { LIGHT_CONSUMER, NODE_TYPES, TSCONFIG, WORKER_CONSUMER } from '../helpers/package-consumers';

const ROOT = join(__dirname, '..', '..');
const API_KEY = 'package-install-key';
/** The repository's workers serve the light consumer's orders on this queue. */
const TASK_QUEUE = 'package-install-light';
/** The full consumer's own worker serves this one. */
const WORKER_TASK_QUEUE = 'package-install-full';
/**
 * What "little else" means in numbers: `@temporalio/client` 1.24 alone brings 42 packages (grpc-js,
 * with proto-loader's yargs and its own protobufjs 7) and about 29 MB; the package adds itself, zod,
 * @temporalio/envconfig and smol-toml. A few more from a dependency's new release are room, not a goal.
 */
const LIGHT_PACKAGE_LIMIT = 50;
const LIGHT_SIZE_LIMIT_BYTES = 40 * 1024 * 1024;
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { peerDependencies: Record<string, string> };

let directory: string;
let tarball: string;
let packedFiles: string[];
let environment: TestWorkflowEnvironment;
let sandbox: MagmaSandbox;
let ledger: Ledger;
let workers: RunningWorkers;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A command run as a person would, without the npm_* variables of the `npm test` around it. */
function run(command: string, args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}): Promise<Run> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('npm_') && !name.startsWith('TEMPORAL_')));
  const child = spawn(command, args, { cwd, env: { ...env, NODE_OPTIONS: '', ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
  return collect(child);
}

function collect(child: ChildProcess): Promise<Run> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function succeed(command: string, args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}): Promise<Run> {
  const result = await run(command, args, cwd, extra);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** A fresh project outside the repository, with the consumer's sources and a strict tsconfig. */
function consumerProject(name: string, sources: Record<string, string>, manifest: Record<string, unknown> = {}): string {
  const project = join(directory, name);
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, ...manifest }, null, 2));
  writeFileSync(join(project, 'tsconfig.json'), TSCONFIG);
  for (const [file, text] of Object.entries(sources)) writeFileSync(join(project, file), text);
  return project;
}

function compile(project: string): Promise<Run> {
  return run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', project], project);
}

/** The packages of a project's node_modules (npm ls: one line per installed copy), their bytes, and any native module. */
async function installed(project: string): Promise<{ packages: string[]; bytes: number; nativeFiles: string[] }> {
  const listed = await succeed('npm', ['ls', '--all', '--parseable'], project);
  const packages = listed.stdout.trim().split('\n').slice(1).map((path) => relative(join(project, 'node_modules'), path));
  const nativeFiles: string[] = [];
  let bytes = 0;
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        bytes += statSync(path).size;
        if (entry.name.endsWith('.node') || entry.name === 'binding.gyp') nativeFiles.push(relative(project, path));
      }
    }
  };
  walk(join(project, 'node_modules'));
  return { packages, bytes, nativeFiles };
}

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'order-tracker-package-'));
  const packed = await succeed('npm', ['pack', '--json', '--pack-destination', directory], ROOT);
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  tarball = join(directory, info?.filename ?? 'missing.tgz');
  packedFiles = (info?.files ?? []).map((file) => file.path);
  environment = await createDevEnvironment();
  sandbox = await startMagmaSandbox({ apiKey: API_KEY });
  ledger = (await temporaryLedger()).ledger;
  workers = await startWorkers({ connection: environment.nativeConnection, taskQueue: TASK_QUEUE, providers: magmaProviders(sandbox.url, API_KEY), ledger });
}, 180_000);

afterAll(async () => {
  await workers?.stop();
  await sandbox?.close();
  await ledger?.close();
  await environment?.teardown();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

test('npm pack ships compiled JavaScript, declarations and the command, nothing else', () => {
  expect(existsSync(tarball)).toBe(true);
  const unexpected = packedFiles.filter((path) => !/^dist\/.+\.(js|d\.ts)$/.test(path) && !['bin/order-tracker.js', 'package.json', 'README.md'].includes(path));
  expect(unexpected).toEqual([]);
  expect(packedFiles).toEqual(expect.arrayContaining(['dist/client/index.js', 'dist/client/index.d.ts', 'dist/workers/index.js', 'dist/workers/index.d.ts', 'dist/cli/main.js']));
  // The simulators and the demo come with a clone, not the package.
  expect(packedFiles.filter((path) => path.startsWith('dist/sandbox/') || path.startsWith('dist/workers/dev.') || path.startsWith('dist/test/'))).toEqual([]);
});

test('the light install: the library and the order commands on @temporalio/client and little else, no native module', async () => {
  const project = consumerProject('light-consumer', { 'track.ts': LIGHT_CONSUMER });
  const install = await succeed('npm', ['install', '--no-audit', '--no-fund', tarball], project);
  expect(`${install.stdout}${install.stderr}`).not.toContain('EBADENGINE');
  const { packages, bytes, nativeFiles } = await installed(project);
  process.stdout.write(`light install: ${packages.length} packages, ${(bytes / 1024 / 1024).toFixed(1)} MB\n`);
  expect(packages.length).toBeLessThanOrEqual(LIGHT_PACKAGE_LIMIT);
  expect(bytes).toBeLessThan(LIGHT_SIZE_LIMIT_BYTES);
  expect(nativeFiles).toEqual([]);
  for (const heavy of ['@temporalio/worker', '@temporalio/core-bridge', '@swc/core', 'webpack', 'better-sqlite3', 'fastify', 'pg', 'graphql']) expect(packages).not.toContain(heavy);

  await succeed('npm', ['install', '--no-audit', '--no-fund', '--save-dev', NODE_TYPES], project);
  expect(await compile(project)).toMatchObject({ code: 0, stdout: '', stderr: '' });
  const orderId = uniqueId('package-light');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_SELLER_APPROVAL', requests: 1 }, { status: 'VALID_CHANNEL_OPENING' }] });
  const cliEnvironment = { TEMPORAL_ADDRESS: environment.address, TEMPORAL_TASK_QUEUE: TASK_QUEUE };
  const tracked = await succeed(process.execPath, ['out/track.js', orderId], project, cliEnvironment);
  expect(JSON.parse(tracked.stdout)).toEqual({ started: 'tracking', outcome: 'succeeded', again: 'recorded', recordedOutcome: 'succeeded' });

  // The installed command: order commands work; a worker-side one says what to install.
  const status = await run(join(project, 'node_modules', '.bin', 'order-tracker'), ['status', 'magma', orderId], project, cliEnvironment);
  expect(status).toMatchObject({ code: 0, stderr: '' });
  expect(status.stdout).toContain('fulfilment recorded=true');
  const worker = await run(join(project, 'node_modules', '.bin', 'order-tracker'), ['worker'], project, cliEnvironment);
  expect(worker.code).toBe(2);
  expect(worker.stderr).toContain('worker runs the worker side, whose packages this install lacks');
  expect(worker.stderr).toContain(`npm install ${Object.entries(packageJson.peerDependencies).map(([name, range]) => `${name}@${range}`).join(' ')}`);
}, 300_000);

test('the full install: an embedded worker with a hook, compiled strictly, runs an order to succeeded', async () => {
  // The ledger on PostgreSQL: npm 11 leaves better-sqlite3's native build out unless the project
  // allows it (docs/contract.md), and compiling it would hold a core for over a minute here.
  const postgres = await startPostgresCluster({ database: 'package_install' });
  const project = consumerProject('worker-consumer', { 'worker.ts': WORKER_CONSUMER, 'track.ts': LIGHT_CONSUMER });
  const peers = Object.entries(packageJson.peerDependencies).map(([name, range]) => `${name}@${range}`);
  const install = await succeed('npm', ['install', '--no-audit', '--no-fund', tarball, ...peers], project);
  await succeed('npm', ['install', '--no-audit', '--no-fund', '--save-dev', NODE_TYPES], project);
  expect(`${install.stdout}${install.stderr}`).not.toContain('EBADENGINE');
  // One protobufjs for every Temporal package (grpc's proto-loader keeps its own 7).
  const copies = await succeed(process.execPath, ['-e', PROTOBUF_COPIES], project);
  expect(JSON.parse(copies.stdout)).toEqual([expect.stringMatching(/^8\./)]);
  expect(await compile(project)).toMatchObject({ code: 0, stdout: '', stderr: '' });

  const orderId = uniqueId('package-full');
  sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT', requests: 1 }, { status: 'VALID_CHANNEL_OPENING' }] });
  const workerEnvironment = {
    TEMPORAL_ADDRESS: environment.address,
    TEMPORAL_TASK_QUEUE: WORKER_TASK_QUEUE,
    MAGMA_URL: sandbox.url,
    MAGMA_API_KEY: API_KEY,
    DATABASE_URL: postgres.url,
  };
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('npm_') && !name.startsWith('TEMPORAL_')));
  const worker = spawn(process.execPath, ['out/worker.js'], { cwd: project, env: { ...env, NODE_OPTIONS: '', ...workerEnvironment }, stdio: ['ignore', 'pipe', 'pipe'] });
  const workerOutput = collect(worker);
  try {
    const tracked = await succeed(process.execPath, ['out/track.js', orderId], project, { TEMPORAL_ADDRESS: environment.address, TEMPORAL_TASK_QUEUE: WORKER_TASK_QUEUE });
    expect(JSON.parse(tracked.stdout)).toMatchObject({ started: 'tracking', outcome: 'succeeded', again: 'recorded' });
  } finally {
    worker.kill('SIGTERM');
  }
  const stuck = setTimeout(() => worker.kill('SIGKILL'), 60_000);
  const { stdout, code } = await workerOutput;
  clearTimeout(stuck);
  try {
    expect(code).toBe(0);
    expect(stdout).toContain(`hook onSucceeded magma:${orderId}:succeeded:onSucceeded`);
    const workerLedger = await openLedger(postgres.url);
    expect(await workerLedger.find('magma', orderId)).toMatchObject({ outcome: 'succeeded', final: true, hooksDone: [`magma:${orderId}:succeeded:onSucceeded`] });
    await workerLedger.close();
  } finally {
    await postgres.stop();
  }
}, 600_000);

/** Which protobufjs each Temporal package of the project loads. */
const PROTOBUF_COPIES = `
const { dirname, join } = require('node:path');
const users = ['@temporalio/common', '@temporalio/proto', '@temporalio/client', '@temporalio/worker', '@temporalio/workflow'];
const copies = new Set(users.map((user) => dirname(require.resolve('protobufjs', { paths: [dirname(require.resolve(user))] }))));
process.stdout.write(JSON.stringify([...copies].map((copy) => require(join(copy, 'package.json')).version)));
`;
