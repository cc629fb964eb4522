import type { DataConverter } from '@temporalio/common';
import { type NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import type { Activities } from '../activities';
import { pollTaskQueue } from '../domain/ids';
import type { ProviderName } from '../domain/types';
import { tracingClientInterceptors } from '../common/tracing';
import { metricsInterceptors } from './metrics-interceptor';
import { TRACING_WORKFLOW_MODULE, workerTracing } from './tracing-interceptors';

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  /** Providers this process polls; each gets a worker on its own poll task queue. */
  providers: readonly ProviderName[];
  /** Per provider: requests per second allowed across all workers (enforced by the server). */
  requestsPerSecond: Record<ProviderName, number>;
  /** Payload codecs, e.g. the encryption codec; the same as the clients'. */
  dataConverter?: DataConverter;
  /** A pre-built bundle (tests build one per file); otherwise workflows/ is bundled at start. */
  workflowBundle?: WorkflowBundleOption;
}

/**
 * Workflow tasks this worker runs at once (the SDK's default is 40). One thread runs every workflow
 * activation of a worker, so more tasks at once only interleave: after a restart, 40 replays in
 * turn each took 40 times as long, passed the 10 s workflow task timeout and were handed out again
 * (the bench's SIGKILL held orders for minutes). Ten keep that thread busy with room to spare.
 */
const WORKFLOW_TASK_SLOTS = 10;

/**
 * Order runs kept in memory between their workflow tasks (the SDK's default grows with the heap
 * limit: nearly 1,000 on a 24 GiB machine). An order wakes only when its status changes or a push
 * arrives, so a run that is not cached replays a short history (under 100 events per run) when it
 * wakes; a smaller cache bounds the worker's memory however many orders are in flight.
 */
const CACHED_WORKFLOWS = 500;

/**
 * One worker for the workflows and fulfilment on the main queue, plus one per provider for polls.
 * The poll queue's `maxTaskQueueActivitiesPerSecond` is applied by the server to every worker on
 * that queue, so it is the provider's request budget however many worker processes run.
 */
export async function createWorkers(options: WorkerOptions): Promise<Worker[]> {
  const { connection, namespace, taskQueue, activities } = options;
  const workflowSource = options.workflowBundle
    ? { workflowBundle: options.workflowBundle }
    : { workflowsPath: require.resolve('../workflows') };
  // With tracing installed in this process (common/tracing.ts): Temporal's OpenTelemetry interceptors.
  const tracing = workerTracing();
  const interceptors = () => {
    const { activity } = metricsInterceptors();
    return {
      activity: [...(tracing?.activity ?? []), ...(activity ?? [])],
      // The client activities get from their context (Context.current().client) carries the trace too.
      client: { workflow: tracingClientInterceptors() },
    };
  };
  const main = await Worker.create({
    connection,
    namespace,
    taskQueue,
    dataConverter: options.dataConverter,
    ...workflowSource,
    // A prebuilt bundle has the workflow interceptors in it already (workflow-bundle.ts: the traced variants).
    interceptors: { ...interceptors(), workflowModules: tracing === undefined || options.workflowBundle ? [] : [TRACING_WORKFLOW_MODULE] },
    sinks: tracing?.sinks,
    maxConcurrentWorkflowTaskExecutions: WORKFLOW_TASK_SLOTS,
    maxCachedWorkflows: CACHED_WORKFLOWS,
    activities: {
      recordOutcome: activities.recordOutcome,
      deliverCallback: activities.deliverCallback,
      runHook: activities.runHook,
      watchPollGroup: activities.watchPollGroup,
    },
  });
  const pollers = await Promise.all(
    options.providers.map((provider) =>
      Worker.create({
        connection,
        namespace,
        taskQueue: pollTaskQueue(taskQueue, provider),
        dataConverter: options.dataConverter,
        // The provider's poll groups run here too: only workers configured for the provider take them.
        activities: { pollOrder: activities.pollOrder, pollUntilChanged: activities.pollUntilChanged, runPollGroup: activities.runPollGroup },
        interceptors: interceptors(),
        maxTaskQueueActivitiesPerSecond: options.requestsPerSecond[provider],
        // The server's limiter lets a burst through at start; this worker's own limit smooths it.
        maxActivitiesPerSecond: options.requestsPerSecond[provider],
      }),
    ),
  );
  return [main, ...pollers];
}

/** Runs workers together until one stops or fails; then shuts the others down. */
export async function runWorkers(workers: Worker[]): Promise<void> {
  const runs = workers.map((worker) => worker.run());
  try {
    await Promise.race(runs);
  } finally {
    for (const worker of workers) {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    }
    await Promise.allSettled(runs);
  }
}
