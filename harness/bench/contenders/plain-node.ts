/**
 * The non-Temporal contenders: the seeds' reference loops as plain Node, and the seed's
 * background-job pattern on BullMQ with a redis-server of our own on a free loopback port.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { assertTimeScaleAllowed, loadConfig } from '../../../common/config';
import { findFreePort } from '../../../common/temporal-servers';
import { childEnvironment } from '../environment';
import { countFulfilled, readEvents } from '../event-log';
import { SupervisedProcess, tsxArgs } from '../../process-supervisor';
import type { BenchOrder } from '../../workload/corpus';
import { BULLMQ_QUEUE, type PollJob } from './bullmq-process';
import type { Collected, Contender, ContenderContext, Usage } from './contender';

abstract class ChildContender implements Contender {
  readonly durable: boolean = false;
  abstract readonly name: string;
  protected worker: SupervisedProcess | undefined;
  protected server: SupervisedProcess | undefined;
  protected eventFile = '';

  protected workerVariables(context: ContenderContext): Record<string, string> {
    this.eventFile = join(context.workDir, 'events.jsonl');
    const variables = { ...context.sandbox.environment, BENCH_EVENT_FILE: this.eventFile, BENCH_TIME_SCALE: String(context.timeScale) };
    assertTimeScaleAllowed(loadConfig(childEnvironment(variables)), context.timeScale);
    return variables;
  }

  abstract start(context: ContenderContext): Promise<void>;
  abstract submit(order: BenchOrder, orderId: string): Promise<void>;

  async fulfilledCount(): Promise<number> {
    return countFulfilled(this.eventFile);
  }

  async killWorker(): Promise<void> {
    await this.worker?.kill('SIGKILL');
    this.worker?.start();
  }

  mark(): void {
    this.worker?.mark();
    this.server?.mark();
  }

  usage(): Usage {
    return {
      workerCpuSeconds: this.worker?.cpuSinceMark() ?? 0,
      serverCpuSeconds: this.server?.cpuSinceMark() ?? 0,
      peakWorkerRssBytes: this.worker?.peakRss() ?? 0,
    };
  }

  async collect(): Promise<Collected> {
    return readEvents(this.eventFile);
  }

  async stop(): Promise<void> {
    await this.worker?.stop();
    await this.server?.stop();
  }
}

export class SeedLoopsContender extends ChildContender {
  readonly name = 'seed-loops';

  async start(context: ContenderContext): Promise<void> {
    const [command, args] = tsxArgs('harness/bench/contenders/seed-loops-process.ts');
    this.worker = new SupervisedProcess('seed-loops', command, args, childEnvironment(this.workerVariables(context)), join(context.workDir, 'worker.log'));
    this.worker.start();
    await sleep(1_500); // tsx compiles the child before it listens for orders
  }

  async submit(order: BenchOrder, orderId: string): Promise<void> {
    this.worker?.send({ provider: order.provider, orderId });
  }
}

export class BullmqContender extends ChildContender {
  override readonly durable = true;
  readonly name = 'bullmq';
  private queue: Queue<PollJob> | undefined;

  async start(context: ContenderContext): Promise<void> {
    const port = await findFreePort();
    this.server = new SupervisedProcess(
      'redis',
      redisServerPath(),
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', context.workDir],
      process.env,
      join(context.workDir, 'redis.log'),
    );
    this.server.start();
    const variables = { ...this.workerVariables(context), BENCH_REDIS_PORT: String(port) };
    const [command, args] = tsxArgs('harness/bench/contenders/bullmq-process.ts');
    this.worker = new SupervisedProcess('bullmq-worker', command, args, childEnvironment(variables), join(context.workDir, 'worker.log'));
    this.worker.start();
    this.queue = new Queue<PollJob>(BULLMQ_QUEUE, { connection: { host: '127.0.0.1', port } });
    await this.queue.waitUntilReady();
  }

  async submit(order: BenchOrder, orderId: string): Promise<void> {
    await this.queue?.add('poll', { provider: order.provider, orderId }, { removeOnComplete: true, removeOnFail: true });
  }

  override async stop(): Promise<void> {
    await this.queue?.close();
    await super.stop();
  }
}

function redisServerPath(): string {
  try {
    return execFileSync('bash', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('redis-server not found: run scripts/install-redis.sh (apt-get install -y redis-server)');
  }
}
