/**
 * The Temporal UI showing encrypted orders in the clear through `order-tracker codec-server`: the
 * real command (ORDER_TRACKER_ENCRYPTION_KEY, CODEC_SERVER_TOKEN, the UI's origin allowed), a dev
 * server whose UI points at it (`--ui-codec-endpoint http://127.0.0.1:<port>/<token>`), workers and
 * a client with the same key, Debian's Chromium. The order's input reads decoded in the UI; once
 * the codec server is gone, the same page shows only ciphertext.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { OrderTracker } from '../../client/order-tracker';
import { ENCRYPTED_ENCODING, dataConverterFor } from '../../common/encryption-codec';
import { findFreePort } from '../../common/temporal-servers';
import { orderWorkflowId } from '../../domain/ids';
import type { Ledger } from '../../storage/ledger/ledger';
import { startMagmaSandbox, type MagmaSandbox } from '../../sandbox/magma';
import { startDevServer, type DevServer } from '../../workers/dev-server';
import { cleanEnvironment } from '../../harness/cli-process';
import { eventually } from '../helpers/eventually';
import { type RunningWorkers, startWorkers } from '../helpers/running-workers';
import { magmaProviders, temporaryLedger, uniqueId } from '../helpers/worker-stack';

const ROOT = join(__dirname, '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const API_KEY = 'codec-ui-key';
const TASK_QUEUE = 'codec-ui';
const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const TOKEN = `codec-${randomBytes(8).toString('hex')}`;
/** How the UI shows a payload it could not decode: its metadata, base64 (`binary/encrypted`). */
const ENCRYPTED_ENCODING_SHOWN = `"encoding": "${Buffer.from(ENCRYPTED_ENCODING).toString('base64')}"`;
const UI_TIMEOUT_MS = 20_000;
const TEST_TIMEOUT_MS = 90_000;

let directory: string;
let codecServer: ChildProcess;
let codecOutput = '';
let server: DevServer;
let nativeConnection: NativeConnection;
let client: Client;
let sandbox: MagmaSandbox;
let ledger: Ledger;
let workers: RunningWorkers;
let browser: BrowserContext;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'order-tracker-codec-ui-'));
  const uiPort = await findFreePort();
  const codecPort = await findFreePort();
  codecServer = spawn(process.execPath, [join(ROOT, 'bin', 'order-tracker.js'), 'codec-server'], {
    cwd: ROOT,
    env: cleanEnvironment({
      ORDER_TRACKER_ENCRYPTION_KEY: ENCRYPTION_KEY,
      CODEC_SERVER_PORT: String(codecPort),
      CODEC_SERVER_ORIGINS: `http://127.0.0.1:${uiPort}`,
      CODEC_SERVER_TOKEN: TOKEN,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  codecServer.stdout?.setEncoding('utf8').on('data', (chunk: string) => (codecOutput += chunk));
  codecServer.stderr?.setEncoding('utf8').on('data', (chunk: string) => (codecOutput += chunk));
  await eventually(`the codec server runs (${codecOutput})`, () => codecOutput.includes('codec server on'), { timeoutMs: 30_000 });
  server = await startDevServer({
    dbFile: join(directory, 'temporal.sqlite'),
    port: await findFreePort(),
    uiPort,
    namespace: 'default',
    uiCodecEndpoint: `http://127.0.0.1:${codecPort}/${TOKEN}`,
  });
  nativeConnection = await NativeConnection.connect({ address: server.address });
  const dataConverter = dataConverterFor(ENCRYPTION_KEY);
  client = new Client({ connection: await Connection.connect({ address: server.address }), dataConverter });
  sandbox = await startMagmaSandbox({ apiKey: API_KEY });
  ledger = (await temporaryLedger()).ledger;
  workers = await startWorkers({ connection: nativeConnection, taskQueue: TASK_QUEUE, providers: magmaProviders(sandbox.url, API_KEY), ledger, dataConverter });
  browser = await chromium.launchPersistentContext(join(directory, 'chromium-profile'), { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await workers?.stop();
  await sandbox?.close();
  await ledger?.close();
  await client?.connection.close();
  await nativeConnection?.close();
  await server?.stop();
  if (codecServer?.exitCode === null) codecServer.kill('SIGTERM');
  if (directory) rmSync(directory, { recursive: true, force: true });
});

test(
  'the UI decodes an encrypted order through the codec-server command, and shows ciphertext without it',
  async () => {
    const orderId = uniqueId('codec-ui');
    const reference = `cart-${randomBytes(4).toString('hex')}`;
    sandbox.addOrder({ id: orderId, steps: [{ status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION' }] });
    const tracker = new OrderTracker({ client, taskQueue: TASK_QUEUE, ledger });
    await tracker.track('magma', orderId, { reference, maxWaitMs: 3_600_000 });
    // The codec server's output names where it listens, never its token.
    expect(codecOutput).toContain(`/<CODEC_SERVER_TOKEN>`);
    expect(codecOutput).not.toContain(TOKEN);

    const page = await browser.newPage();
    const url = `${server.uiUrl}/namespaces/default/workflows/${encodeURIComponent(orderWorkflowId('magma', orderId))}`;
    await page.goto(url);
    // The workflow's input, decrypted by the codec server: the reference and max wait in clear JSON.
    await page.getByText(`"reference": "${reference}"`).first().waitFor({ timeout: UI_TIMEOUT_MS });
    await expect(page.getByText('"maxWaitMs": 3600000').count()).resolves.toBeGreaterThan(0);
    await expect(page.getByText(ENCRYPTED_ENCODING_SHOWN).count()).resolves.toBe(0);

    // Without the codec server the UI has only ciphertext to show.
    codecServer.kill('SIGTERM');
    await eventually('the codec server has stopped', () => codecServer.exitCode !== null);
    expect(codecServer.exitCode).toBe(0);
    await page.reload();
    await page.getByText(ENCRYPTED_ENCODING_SHOWN).first().waitFor({ timeout: UI_TIMEOUT_MS });
    await expect(page.getByText('Codec Server could not connect').count()).resolves.toBeGreaterThan(0);
    await expect(page.getByText(reference).count()).resolves.toBe(0);
    await page.close();
    await tracker.cancel('magma', orderId);
  },
  TEST_TIMEOUT_MS,
);
