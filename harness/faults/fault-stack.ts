/**
 * The stack a fault run breaks: a Temporal dev server, PostgreSQL for the ledger, the four provider
 * simulators (OZZOBiT's webhooks redelivered while the ingress cannot take them, as senders do), a
 * signature-checking callback receiver, and `order-tracker worker` and `order-tracker ingress` as
 * child processes — with Toxiproxy on every link the tier breaks:
 *
 *   worker-temporal    worker → Temporal            ingress-temporal   ingress → Temporal
 *   worker-providers   worker → each simulator      worker-postgres    worker → the ledger database
 *   worker-callbacks   worker → the callback receiver
 *
 * The run's own client (starting orders, checking them) talks to Temporal directly.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { OrderTracker } from '../../client/order-tracker';
import { findFreePort } from '../../common/temporal-servers';
import { PROVIDER_NAMES, type ProviderName } from '../../domain/types';
import type { Ledger } from '../../storage/ledger/ledger';
import { openDatabase } from '../../storage/open-database';
import { type SandboxStack, startSandboxStack } from '../../sandbox/sandbox-stack';
import { type CallbackReceiver, startCallbackReceiver } from '../servers/callback-receiver';
import { cleanEnvironment } from '../cli-process';
import { type PostgresCluster, startPostgresCluster } from '../servers/postgres';
import { type DevServer, startDevServer } from '../../workers/dev-server';
import { writeWorkflowBundles } from '../../workers/workflow-bundle';
import { type LedgerReader, ledgerReader } from '../checks/ledger-reader';
import { type SupervisedProcess, cliProcess } from '../process-supervisor';
import { type Proxy, Toxiproxy } from './toxiproxy';

export const LINKS = ['worker-temporal', 'ingress-temporal', 'worker-providers', 'worker-postgres', 'worker-callbacks'] as const;
export type LinkName = (typeof LINKS)[number];

const NAMESPACE = 'default';
/** Providers' budgets never bind here: the faults are the subject. */
const REQUESTS_PER_SECOND = 200;
/** OZZOBiT keeps delivering a webhook the ingress answered 5xx for this long (ozzobit-webhook-request.ts). */
const WEBHOOK_REDELIVERY = { windowMs: 15 * 60_000, maxDelayMs: 10_000 };
const PROVIDER_URL: Record<ProviderName, string> = { magma: 'MAGMA_URL', miraclecash: 'MIRACLECASH_URL', ozzobit: 'OZZOBIT_URL', houdini: 'HOUDINI_URL' };

export interface FaultStack {
  workDir: string;
  toxiproxy: Toxiproxy;
  /** The proxies of each link. */
  links: Record<LinkName, Proxy[]>;
  simulators: SandboxStack;
  receiver: CallbackReceiver;
  worker: SupervisedProcess;
  ingress: SupervisedProcess;
  client: Client;
  tracker: OrderTracker;
  reader: LedgerReader;
  taskQueue: string;
  close(): Promise<void>;
}

/** `url` with its host:port replaced by the proxy's. */
function through(url: string, proxy: Proxy): string {
  const parsed = new URL(url);
  parsed.host = proxy.listen;
  return parsed.toString().replace(/\/$/, url.endsWith('/') ? '/' : '');
}

export async function startFaultStack(options: { callbackSecret: string; runId: string; log: (line: string) => void }): Promise<FaultStack> {
  const workDir = mkdtempSync(join(tmpdir(), 'order-tracker-faults-'));
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
  };
  try {
    const toxiproxy = await Toxiproxy.start();
    closers.push(() => toxiproxy.stop());
    const server: DevServer = await startDevServer({ dbFile: join(workDir, 'temporal.sqlite'), port: await findFreePort(), uiPort: await findFreePort(), namespace: NAMESPACE });
    closers.push(() => server.stop());
    const postgres: PostgresCluster = await startPostgresCluster({ database: `faults_${options.runId}` });
    closers.push(() => postgres.stop());
    const receiver = await startCallbackReceiver(options.callbackSecret);
    closers.push(() => receiver.close());
    const ingressPort = await findFreePort();
    const simulators = await startSandboxStack({ ozzobitWebhookUrl: `http://127.0.0.1:${ingressPort}/webhooks/ozzobit`, ozzobitWebhookRedelivery: WEBHOOK_REDELIVERY });
    closers.push(() => simulators.close());
    options.log(`dev server ${server.address}, PostgreSQL :${postgres.port}, toxiproxy ${toxiproxy.apiUrl}`);

    const links: Record<LinkName, Proxy[]> = {
      'worker-temporal': [await toxiproxy.proxy('worker-temporal', server.address)],
      'ingress-temporal': [await toxiproxy.proxy('ingress-temporal', server.address)],
      'worker-providers': [],
      'worker-postgres': [await toxiproxy.proxy('worker-postgres', `127.0.0.1:${postgres.port}`)],
      'worker-callbacks': [await toxiproxy.proxy('worker-callbacks', new URL(receiver.url).host)],
    };
    const providerUrls: Record<string, string> = {};
    for (const provider of PROVIDER_NAMES) {
      const variable = PROVIDER_URL[provider];
      const url = simulators.environment[variable] as string;
      const proxy = await toxiproxy.proxy(`worker-${provider}`, new URL(url).host);
      links['worker-providers'].push(proxy);
      providerUrls[variable] = through(url, proxy);
    }

    const bundleDir = join(workDir, 'workflow-bundle');
    await writeWorkflowBundles(bundleDir, ['plain']);
    const taskQueue = `faults-${options.runId}`;
    const shared = {
      ...simulators.environment,
      WORKFLOW_BUNDLE: bundleDir,
      INGRESS_PORT: String(ingressPort),
      TEMPORAL_NAMESPACE: NAMESPACE,
      TEMPORAL_TASK_QUEUE: taskQueue,
      DATABASE_URL: postgres.url,
      ...Object.fromEntries(PROVIDER_NAMES.map((provider) => [`${provider.toUpperCase()}_REQUESTS_PER_SECOND`, String(REQUESTS_PER_SECOND)])),
    };
    const workerEnvironment = cleanEnvironment({
      ...shared,
      ...providerUrls,
      TEMPORAL_ADDRESS: (links['worker-temporal'][0] as Proxy).listen,
      DATABASE_URL: through(postgres.url, links['worker-postgres'][0] as Proxy),
      FULFILLMENT_WEBHOOK_URL: through(receiver.url, links['worker-callbacks'][0] as Proxy),
      FULFILLMENT_WEBHOOK_SECRET: options.callbackSecret,
    });
    const ingressEnvironment = cleanEnvironment({ ...shared, TEMPORAL_ADDRESS: (links['ingress-temporal'][0] as Proxy).listen });

    const database = await openDatabase(postgres.url); // creates the tables before anyone reads them
    closers.push(() => database.close());
    const ledger: Ledger = database.ledger;
    const reader = ledgerReader(database);
    const connection = await Connection.connect({ address: server.address });
    closers.push(() => connection.close());
    const client = new Client({ connection, namespace: NAMESPACE });
    const tracker = new OrderTracker({ client, taskQueue, ledger });

    const worker = cliProcess('worker', { environment: workerEnvironment, workDir, log: options.log });
    worker.start();
    closers.push(() => worker.stop());
    await worker.ready();
    const ingress = cliProcess('ingress', { environment: ingressEnvironment, workDir, log: options.log });
    ingress.start();
    closers.push(() => ingress.stop());
    await ingress.ready();
    options.log(`worker and ingress ready (logs in ${workDir})`);
    return { workDir, toxiproxy, links, simulators, receiver, worker, ingress, client, tracker, reader, taskQueue, close };
  } catch (error) {
    await close();
    throw error;
  }
}
