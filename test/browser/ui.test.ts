/**
 * The Temporal Web UI as a person watching orders uses it: Debian's Chromium (headless, driven by
 * playwright-core; scripts/install-chromium.sh installs it) against a dev server with its UI, the
 * worker stack in this process and the Magma simulator. Filters the workflow list by OrderStatus,
 * opens the order, reads its summary, current details and what its timer waits for, runs the
 * `progress` query, and keeps a screenshot in test-output/ui/order.png (docs/ui-order.png is a copy
 * of a good one). Then reads every order's outcome in the list, in the OrderOutcome column
 * (test-output/ui/list.png).
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { Ledger } from '../../storage/ledger/ledger';
import { OrderTracker } from '../../client/order-tracker';
import { findFreePort } from '../../common/temporal-servers';
import { startMagmaSandbox, type MagmaSandbox } from '../../sandbox/magma';
import { startDevServer, type DevServer } from '../../workers/dev-server';
import { orderWorkflowId } from '../../domain/ids';
import { eventually } from '../helpers/eventually';
import { type RunningWorkers, startWorkers } from '../helpers/running-workers';
import { magmaProviders, temporaryLedger, uniqueId } from '../helpers/worker-stack';

const CHROMIUM = '/usr/bin/chromium';
/** No network beyond the UI under test, no first-run or background work, a profile of its own. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOT = join(__dirname, '..', '..', 'test-output', 'ui', 'order.png');
const API_KEY = 'ui-test-key';
const TASK_QUEUE = 'ui-integration';
const SLOW_STATUS = 'WAITING_FOR_ON_CHAIN_CONFIRMATION';
/** The UI loads lists and histories through its own server: seconds, not milliseconds. */
const UI_TIMEOUT_MS = 20_000;
const TEST_TIMEOUT_MS = 60_000;

let directory: string;
let server: DevServer;
let nativeConnection: NativeConnection;
let client: Client;
let sandbox: MagmaSandbox;
let ledger: Ledger;
let workers: RunningWorkers;
let tracker: OrderTracker;
let browser: BrowserContext;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'order-tracker-ui-'));
  server = await startDevServer({
    dbFile: join(directory, 'temporal.sqlite'),
    port: await findFreePort(),
    uiPort: await findFreePort(),
    namespace: 'default',
  });
  nativeConnection = await NativeConnection.connect({ address: server.address });
  client = new Client({ connection: await Connection.connect({ address: server.address }) });
  sandbox = await startMagmaSandbox({ apiKey: API_KEY });
  ledger = (await temporaryLedger()).ledger;
  workers = await startWorkers({ connection: nativeConnection, taskQueue: TASK_QUEUE, providers: magmaProviders(sandbox.url, API_KEY), ledger });
  tracker = new OrderTracker({ client, taskQueue: TASK_QUEUE, ledger });
  // launchPersistentContext: a fresh --user-data-dir of our own (launch() would not take one).
  browser = await chromium.launchPersistentContext(join(directory, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 1000 },
  });
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await workers?.stop();
  await sandbox?.close();
  await ledger?.close();
  await client?.connection.close();
  await nativeConnection?.close();
  await server?.stop();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

/** Text of every rendered markdown block (the UI draws summaries and details in iframes). */
async function renderedBlocks(page: Page): Promise<string[]> {
  const frames = page.locator('iframe[title="output"]');
  const texts: string[] = [];
  for (let index = 0; index < (await frames.count()); index += 1) {
    texts.push(await frames.nth(index).contentFrame().locator('body').innerText());
  }
  return texts;
}

test(
  'the UI lists the order under its OrderStatus filter and shows its summary, current details and progress',
  async () => {
    const orderId = uniqueId('ui');
    const otherId = uniqueId('ui-other');
    sandbox.addOrder({
      id: orderId,
      steps: [
        {
          status: SLOW_STATUS,
          fields: { transaction_id: '5e8a3f9c', confirmations: { confirmations: 2 }, timeout: new Date(Date.now() + 3_600_000).toISOString() },
        },
      ],
    });
    sandbox.addOrder({ id: otherId, steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT' }] });
    await tracker.track('magma', orderId, { reference: 'cart-981' });
    await tracker.track('magma', otherId);
    await eventually('visibility has both orders with their status', async () => {
      const [slow, other] = await Promise.all([tracker.list({ status: SLOW_STATUS }), tracker.list({ status: 'WAITING_FOR_BUYER_PAYMENT' })]);
      return slow.some((order) => order.workflowId === orderWorkflowId('magma', orderId)) && other.length > 0;
    });

    const page = await browser.newPage();
    const query = encodeURIComponent(`OrderStatus="${SLOW_STATUS}"`);
    await page.goto(`${server.uiUrl}/namespaces/default/workflows?query=${query}`);
    const listed = page.getByRole('link', { name: orderWorkflowId('magma', orderId), exact: true });
    await listed.waitFor({ timeout: UI_TIMEOUT_MS });
    // The filter holds: the order in another status is not listed.
    await expect(page.getByRole('link', { name: orderWorkflowId('magma', otherId), exact: true }).count()).resolves.toBe(0);

    await listed.click();
    await page.getByRole('tab', { name: 'User Metadata' }).click({ timeout: UI_TIMEOUT_MS });
    let blocks: string[] = [];
    await eventually(
      'the summary and current details are rendered',
      async () => {
        blocks = await renderedBlocks(page);
        return blocks.some((text) => text.includes('Confirmations: 2'));
      },
      { timeoutMs: UI_TIMEOUT_MS },
    );
    expect(blocks).toContainEqual(`magma order ${orderId} (ref cart-981)`);
    const current = blocks.find((text) => text.includes('Status:')) ?? '';
    expect(current).toContain(`Status: ${SLOW_STATUS} (in flight)`);
    // Countdowns as of the last poll (the details are rendered when the order changes).
    expect(current).toMatch(/Next poll: in 45s \([^)]+ UTC\), then every 45s · Max wait ends: in (1h 59m|2h 00m) \(/);
    expect(current).toMatch(/Provider expiry: in (59m \d\ds|1h 00m) \([^)]+ UTC\) · Confirmations: 2/);
    expect(current).toContain('Polls: 1 · pushes: 0');
    // The events with metadata: the poll the order waits on, labelled with its cadence and what it waits for.
    await page.getByText(`poll magma every 45s until the order leaves ${SLOW_STATUS}`).first().waitFor({ timeout: UI_TIMEOUT_MS });
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    // The rendered blocks (iframes) load their stylesheets and fonts after their text.
    for (const frame of page.frames()) await frame.waitForLoadState('load');
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    await page.screenshot({ path: SCREENSHOT });

    // The progress query, from the Queries tab (the UI finds it in the workflow's metadata).
    await page.getByRole('tab', { name: 'Queries' }).click();
    await page.getByRole('button', { name: 'Run Query' }).click({ timeout: UI_TIMEOUT_MS });
    await page.getByText(`"status": "${SLOW_STATUS}"`).first().waitFor({ timeout: UI_TIMEOUT_MS });
    await expect(page.getByText(`"orderId": "${orderId}"`).count()).resolves.toBeGreaterThan(0);
    await page.close();

    for (const id of [orderId, otherId]) await tracker.cancel('magma', id);
  },
  TEST_TIMEOUT_MS,
);

test(
  'the workflow list shows each order\'s outcome in the OrderOutcome column, configured as docs/operations.md says',
  async () => {
    const outcomes = { succeeded: uniqueId('ui-succeeds'), failed: uniqueId('ui-fails'), tracking_cancelled: uniqueId('ui-cancelled') };
    sandbox.addOrder({ id: outcomes.succeeded, steps: [{ status: 'WAITING_FOR_SELLER_APPROVAL', requests: 1 }, { status: 'VALID_CHANNEL_OPENING' }] });
    sandbox.addOrder({ id: outcomes.failed, steps: [{ status: 'SELLER_REJECTED' }] });
    sandbox.addOrder({ id: outcomes.tracking_cancelled, steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT' }] });
    for (const orderId of Object.values(outcomes)) await tracker.track('magma', orderId);
    await tracker.cancel('magma', outcomes.tracking_cancelled);
    for (const [outcome, orderId] of Object.entries(outcomes)) expect((await tracker.result('magma', orderId)).outcome).toBe(outcome);
    const ids = Object.values(outcomes).map((orderId) => orderWorkflowId('magma', orderId));
    await eventually('visibility has the three outcomes', async () => (await tracker.list()).filter((order) => ids.includes(order.workflowId) && order.outcome !== null).length === 3);

    const page = await browser.newPage();
    const query = encodeURIComponent(`WorkflowId IN (${ids.map((id) => `'${id}'`).join(', ')})`);
    await page.goto(`${server.uiUrl}/namespaces/default/workflows?query=${query}`);
    await page.getByRole('link', { name: ids[0], exact: true }).waitFor({ timeout: UI_TIMEOUT_MS });
    // Every order reads "Completed" in the Status column: the outcome needs its own column.
    await page.getByTestId('workflows-summary-table-configuration-button').click();
    for (const column of ['Run ID', 'Type']) await page.getByLabel(`Remove ${column} column`).click();
    // Added last, moved up beside the workflow id: Status, Workflow ID, OrderOutcome, OrderStatus, Start, End.
    for (const column of ['OrderOutcome', 'OrderStatus']) {
      await page.getByLabel(`Add ${column} column`).click();
      for (let step = 0; step < 2; step += 1) await page.getByLabel(`Move ${column} column up`).click();
    }
    await page.getByLabel(/^Close Workflows.* configuration$/).click();
    await page.locator('#workflows-table-configuration-drawer').waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });

    for (const [outcome, orderId] of Object.entries(outcomes)) {
      const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: orderWorkflowId('magma', orderId), exact: true }) });
      await expect(row.getByRole('cell', { name: outcome, exact: true }).count()).resolves.toBe(1);
    }
    await page.screenshot({ path: join(SCREENSHOT, '..', 'list.png') });
    await page.close();
  },
  TEST_TIMEOUT_MS,
);
