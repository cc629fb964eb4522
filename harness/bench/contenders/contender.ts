import type { SandboxStack } from '../../../sandbox/sandbox-stack';
import type { ExistingServer, SqliteJournal } from '../temporal-server';
import type { Seen } from '../metrics';
import type { BenchOrder } from '../../workload/corpus';
import type { PushOutcome } from './push-outcomes';
import type { ActionFigures } from './temporal-actions';

export type { ExistingServer } from '../temporal-server';

export interface ContenderContext {
  workDir: string;
  timeScale: number;
  sandbox: SandboxStack;
  /** The ingress port the sandbox's OZZOBiT webhooks were pointed at (push contender). */
  ingressPort?: number;
  /** A Temporal server already running (`--temporal-address`), used instead of a dev server of the contender's own. */
  existingServer?: ExistingServer;
  /** The journal mode of a dev server the contender starts (default `delete`, as `npm start`'s). */
  sqliteJournal?: SqliteJournal;
  log: (line: string) => void;
}


export interface HistoryFigures {
  executions: number;
  events: number;
  /** The longest single run: what bounds replay cost, whatever the order's length. */
  maxRunEvents: number;
}

export interface Collected {
  seen: Map<string, Seen[]>;
  /** Fulfilments run per order id (a missing id: lost; more than one: doubled). */
  fulfilments: Map<string, number>;
  history?: HistoryFigures;
  /** Schedule-to-start latencies of polls (ms) from a sample of histories, Temporal contenders only. */
  scheduleToStartMs?: number[];
  /** Where a push's time goes (push contender): see pushPathSample. */
  pushPath?: PushPath;
  /** Temporal actions from the server's histories and counters (order-tracker's variants). */
  actions?: ActionFigures;
  /** Push → recorded outcome of the orders whose final status was pushed (push contender). */
  pushOutcomes?: PushOutcome[];
}

/** Per status change, its first push: milliseconds from arrival at the ingress to the signal in history, and from there to the workflow task that applied it. */
export interface PushPath {
  toSignalMs: number[];
  toWorkflowTaskMs: number[];
}

export interface Usage {
  workerCpuSeconds: number;
  serverCpuSeconds: number;
  peakWorkerRssBytes: number;
}

export interface Contender {
  readonly name: string;
  readonly durable: boolean;
  start(context: ContenderContext): Promise<void>;
  /** Starts tracking one order (already added to the sandbox). */
  submit(order: BenchOrder, orderId: string): Promise<void>;
  fulfilledCount(): Promise<number>;
  /** Orders still being followed (durable contenders that can tell): unfinished, not lost. */
  runningCount?(): Promise<number>;
  /** SIGKILL of the worker process, then a restart (a plain loop restarts knowing nothing). */
  killWorker(): Promise<void>;
  /** Starts CPU accounting from now. */
  mark(): void;
  usage(): Usage;
  collect(orderIds: readonly string[]): Promise<Collected>;
  stop(): Promise<void>;
}

export const CONTENDER_NAMES = ['order-tracker', 'order-tracker-retry', 'order-tracker-push', 'seed-loops', 'bullmq', 'temporal-infrequent', 'temporal-bare-loop'] as const;
export type ContenderName = (typeof CONTENDER_NAMES)[number];
