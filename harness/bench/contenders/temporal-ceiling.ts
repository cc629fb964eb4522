/**
 * The Temporal ceilings (bench/workflows): a bare activity+timer loop, and Temporal's "infrequent
 * polling" pattern, each on its own dev server with a worker child process on the project's
 * provider adapters and the same cadence table as order-tracker.
 */
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { assertTimeScaleAllowed, loadConfig } from '../../../common/config';
import { UNTHROTTLED_BUDGETS, childEnvironment } from '../environment';
import { countFulfilled, readEvents } from '../event-log';
import { SupervisedProcess, tsxArgs } from '../../process-supervisor';
import { startBenchServer, type BenchServer } from '../temporal-server';
import type { BenchOrder } from '../../workload/corpus';
import type { Collected, Contender, ContenderContext, Usage } from './contender';
import { historyFigures, runningCount, scheduleToStartSample } from './temporal-figures';

const TASK_QUEUE = 'bench-ceiling';

export class TemporalCeilingContender implements Contender {
  readonly durable = true;
  readonly name: string;
  private server: BenchServer | undefined;
  private worker: SupervisedProcess | undefined;
  private client: Client | undefined;
  private eventFile = '';
  private timeScale = 1;
  private readonly workflowIds: string[] = [];

  constructor(private readonly workflowType: 'bareLoop' | 'infrequentPolling') {
    this.name = workflowType === 'bareLoop' ? 'temporal-bare-loop' : 'temporal-infrequent';
  }

  async start(context: ContenderContext): Promise<void> {
    this.timeScale = context.timeScale;
    this.server = await startBenchServer(context.workDir, context.existingServer, context.sqliteJournal);
    this.eventFile = join(context.workDir, 'events.jsonl');
    const variables = {
      ...context.sandbox.environment,
      ...UNTHROTTLED_BUDGETS,
      TEMPORAL_ADDRESS: this.server.address,
      BENCH_EVENT_FILE: this.eventFile,
      BENCH_TASK_QUEUE: TASK_QUEUE,
    };
    assertTimeScaleAllowed(loadConfig(childEnvironment(variables)), context.timeScale);
    const [command, args] = tsxArgs('harness/bench/workflows/worker-process.ts');
    this.worker = new SupervisedProcess('worker', command, args, childEnvironment(variables), join(context.workDir, 'worker.log'));
    this.worker.start();
    this.client = new Client({ connection: await Connection.connect({ address: this.server.address }) });
  }

  async submit(order: BenchOrder, orderId: string): Promise<void> {
    const workflowId = `bench:${order.provider}:${orderId}`;
    this.workflowIds.push(workflowId);
    await this.client?.workflow.start(this.workflowType, {
      workflowId,
      taskQueue: TASK_QUEUE,
      args: [{ provider: order.provider, orderId, timeScale: this.timeScale }],
    });
  }

  async fulfilledCount(): Promise<number> {
    return countFulfilled(this.eventFile);
  }

  async runningCount(): Promise<number> {
    return this.client ? runningCount(this.client, this.workflowType) : 0;
  }

  async killWorker(): Promise<void> {
    await this.worker?.kill('SIGKILL');
    this.worker?.start();
  }

  mark(): void {
    this.worker?.mark();
    this.server?.process.mark();
  }

  usage(): Usage {
    return {
      workerCpuSeconds: this.worker?.cpuSinceMark() ?? 0,
      serverCpuSeconds: this.server?.process.cpuSinceMark() ?? 0,
      peakWorkerRssBytes: this.worker?.peakRss() ?? 0,
    };
  }

  async collect(): Promise<Collected> {
    const client = this.client as Client;
    return {
      ...readEvents(this.eventFile),
      history: await historyFigures(client, this.workflowType),
      scheduleToStartMs: await scheduleToStartSample(client, this.workflowIds),
    };
  }

  async stop(): Promise<void> {
    await this.client?.connection.close();
    await this.worker?.stop();
    await this.server?.process.stop();
  }
}
