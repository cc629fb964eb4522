/**
 * order-tracker itself: `order-tracker worker` as a child process (and, with push, `order-tracker
 * ingress` with the Houdini WebSocket and OZZOBiT socket.io/webhook bridges), orders started through
 * the OrderTracker library with the run's time scale. What it knew and when comes from the ledger
 * (every status transition with its time); fulfilled = a final ledger row. Three variants: with
 * poll groups (the default configuration), `order-tracker-retry` (every `<PROVIDER>_POLL_GROUPS=0`:
 * each order polls on its own, retry-driven, the shape before groups), and with push.
 */
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { type OrderTracker, trackerFromConfig } from '../../../client/order-tracker';
import { PROVIDER_NAMES, type ProviderName } from '../../../domain/types';
import { loadConfig, withoutPushSettings } from '../../../common/config';
import { orderWorkflowId } from '../../../domain/ids';
import { statusPushedSignal } from '../../../workflows/messages';
import { BENCH_MAX_WAIT_MS, UNTHROTTLED_BUDGETS, childEnvironment } from '../environment';
import type { Seen } from '../metrics';
import { PROJECT_ROOT, SupervisedProcess } from '../../process-supervisor';
import { startBenchServer, type BenchServer } from '../temporal-server';
import type { BenchOrder } from '../../workload/corpus';
import { writeWorkflowBundles } from '../../../workers/workflow-bundle';
import type { Database } from '../../../storage/database';
import { openDatabase } from '../../../storage/open-database';
import type { Collected, Contender, ContenderContext, Usage } from './contender';
import { pushOutcomes } from './push-outcomes';
import { ACTIVITY_ANSWER_OPERATIONS, HEARTBEAT_OPERATIONS, type ServerCounts, collectActions, sumServiceRequests } from './temporal-actions';
import { historyFigures, pushPathSample, runningCount, scheduleToStartSample } from './temporal-figures';

const TASK_QUEUE = 'bench-orders';
const CLI = join(PROJECT_ROOT, 'bin', 'order-tracker.js');
/** Compiling and bundling the workflows on two busy cores. */
const PROCESS_START_TIMEOUT_MS = 5 * 60_000;

export type OrderTrackerVariant = 'groups' | 'retry' | 'push';
/** Today's shape before poll groups, on the same code: no group for any provider. */
const WITHOUT_GROUPS = Object.fromEntries(PROVIDER_NAMES.map((provider) => [`${provider.toUpperCase()}_POLL_GROUPS`, '0']));

export class OrderTrackerContender implements Contender {
  readonly durable = true;
  readonly name: string;
  private server: BenchServer | undefined;
  private worker: SupervisedProcess | undefined;
  private ingress: SupervisedProcess | undefined;
  private client: Client | undefined;
  private tracker: OrderTracker | undefined;
  private ledgerFile = '';
  private database: Database | undefined;
  private readonly submitted: { provider: string; orderId: string }[] = [];
  private submitErrors = 0;
  private readonly push: boolean;
  private sandbox: ContenderContext['sandbox'] | undefined;

  constructor(private readonly variant: OrderTrackerVariant) {
    this.push = variant === 'push';
    this.name = variant === 'groups' ? 'order-tracker' : `order-tracker-${variant}`;
  }

  async start(context: ContenderContext): Promise<void> {
    this.server = await startBenchServer(context.workDir, context.existingServer, context.sqliteJournal);
    this.sandbox = context.sandbox;
    this.ledgerFile = join(context.workDir, 'ledger.sqlite');
    // As the worker image does: bundled once, so the worker's start and its RSS have no webpack in them.
    const bundleDir = join(context.workDir, 'workflow-bundle');
    await writeWorkflowBundles(bundleDir, ['plain']);
    const variables: Record<string, string> = {
      WORKFLOW_BUNDLE: bundleDir,
      ...context.sandbox.environment,
      ...UNTHROTTLED_BUDGETS,
      TEMPORAL_ADDRESS: this.server.address,
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      DATABASE_URL: `sqlite:${this.ledgerFile}`,
      // The ingress starts the orders a push reaches first (OZZOBiT pushes an order when it is added).
      SANDBOX_TIME_SCALE: String(context.timeScale),
      ...(this.variant === 'retry' ? WITHOUT_GROUPS : {}),
    };
    // Refuses the time scale unless every provider URL is loopback.
    const config = loadConfig(childEnvironment(variables));
    // Without push no ingress runs, so the worker must not think pushes report changes; with push the
    // worker has the same settings as the ingress, and its polls of OZZOBiT and Houdini are the fallback.
    const workerVariables = this.push ? variables : withoutPushSettings(variables);
    this.worker = new SupervisedProcess('worker', process.execPath, [CLI, 'worker'], childEnvironment(workerVariables), join(context.workDir, 'worker.log'));
    this.worker.start();
    if (this.push) {
      if (context.ingressPort === undefined) throw new Error('the push contender needs the ingress port');
      this.ingress = new SupervisedProcess(
        'ingress',
        process.execPath,
        [CLI, 'ingress'],
        childEnvironment({ ...variables, INGRESS_PORT: String(context.ingressPort) }),
        join(context.workDir, 'ingress.log'),
      );
      this.ingress.start();
    }
    // Orders are timed from the first one on: wait until the processes poll.
    await this.worker.waitForOutput('order-tracker worker running', PROCESS_START_TIMEOUT_MS);
    await this.ingress?.waitForOutput('order-tracker ingress running', PROCESS_START_TIMEOUT_MS);
    // The worker's database, read for the run's figures (the worker has migrated it by now).
    this.database = await openDatabase(`sqlite:${this.ledgerFile}`);
    const connection = await Connection.connect({ address: this.server.address });
    this.client = new Client({ connection });
    this.tracker = trackerFromConfig(config, this.client);
  }

  async submit(order: BenchOrder, orderId: string): Promise<void> {
    this.submitted.push({ provider: order.provider, orderId });
    try {
      await this.tracker?.track(order.provider, orderId, { maxWaitMs: BENCH_MAX_WAIT_MS });
    } catch {
      this.submitErrors += 1;
    }
  }

  async fulfilledCount(): Promise<number> {
    try {
      return (await this.database?.ledger.allRows())?.filter((row) => row.final).length ?? 0;
    } catch {
      return 0;
    }
  }

  async runningCount(): Promise<number> {
    return this.client ? runningCount(this.client, 'trackOrder') : 0;
  }

  async killWorker(): Promise<void> {
    await this.worker?.kill('SIGKILL');
    this.worker?.start();
  }

  mark(): void {
    this.worker?.mark();
    this.ingress?.mark();
    this.server?.process.mark();
  }

  usage(): Usage {
    return {
      // The ingress is part of the tracker with push on: its CPU counts as the worker side's.
      workerCpuSeconds: (this.worker?.cpuSinceMark() ?? 0) + (this.ingress?.cpuSinceMark() ?? 0),
      serverCpuSeconds: this.server?.process.cpuSinceMark() ?? 0,
      peakWorkerRssBytes: this.worker?.peakRss() ?? 0,
    };
  }

  async collect(orderIds: readonly string[]): Promise<Collected> {
    const seen = new Map<string, Seen[]>();
    const fulfilments = new Map<string, number>();
    const rows = (await this.database?.ledger.allRows()) ?? [];
    for (const row of rows) {
      seen.set(row.orderId, row.transitions.map((transition) => ({ status: transition.status, at: Date.parse(transition.at) })));
      // One row per order by construction; a final row is the order's fulfilment.
      if (row.final) fulfilments.set(row.orderId, 1);
    }
    const client = this.client as Client;
    const history = await historyFigures(client, 'trackOrder');
    const workflowIds = this.submitted.filter((order) => orderIds.includes(order.orderId)).map((order) => orderWorkflowId(order.provider as never, order.orderId));
    const scheduleToStartMs = await scheduleToStartSample(client, workflowIds);
    // Actions only where they can be read in full in reasonable time (a corpus run, not a 10,000-order point).
    const actions = orderIds.length <= 2_000 ? await collectActions(client, () => this.serverCounts()) : undefined;
    if (!this.push) return { seen, fulfilments, history, scheduleToStartMs, actions };
    const pushedIds = this.submitted
      .filter((order) => orderIds.includes(order.orderId) && (order.provider === 'ozzobit' || order.provider === 'houdini'))
      .map((order) => orderWorkflowId(order.provider as never, order.orderId));
    const pushPath = await pushPathSample(client, pushedIds, statusPushedSignal.name);
    const wanted = new Set(orderIds);
    const finals = rows
      .filter((row) => row.final && wanted.has(row.orderId) && (row.provider === 'ozzobit' || row.provider === 'houdini'))
      .map((row) => ({ provider: row.provider, orderId: row.orderId, status: row.status, recordedAt: Date.parse(row.recordedAt) }));
    const requestTimes = (provider: ProviderName, orderId: string) => (this.sandbox?.[provider].requests(orderId) ?? []).map((entry) => entry.at);
    const pushed = await pushOutcomes(client, finals, requestTimes, statusPushedSignal.name);
    return { seen, fulfilments, history, scheduleToStartMs, pushPath, actions, pushOutcomes: pushed };
  }

  /** Heartbeats and activity answers the bench's dev server counted (none on a server it did not start). */
  private async serverCounts(): Promise<ServerCounts | undefined> {
    const url = this.server?.metricsUrl;
    if (url === undefined) return undefined;
    const text = await (await fetch(url)).text();
    return { heartbeats: sumServiceRequests(text, HEARTBEAT_OPERATIONS), activityAnswers: sumServiceRequests(text, ACTIVITY_ANSWER_OPERATIONS) };
  }

  get errors(): number {
    return this.submitErrors;
  }

  async stop(): Promise<void> {
    await this.database?.close();
    await this.client?.connection.close();
    await this.ingress?.stop();
    await this.worker?.stop();
    await this.server?.process.stop();
  }
}
