/** Child process: a worker for the ceiling workflows on BENCH_TASK_QUEUE. */
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig } from '../../../common/config';
import { createCeilingActivities } from './activities';

async function main(): Promise<void> {
  const config = loadConfig();
  const eventFile = process.env.BENCH_EVENT_FILE;
  const taskQueue = process.env.BENCH_TASK_QUEUE ?? 'bench-ceiling';
  if (!eventFile) throw new Error('BENCH_EVENT_FILE is required');
  const connection = await NativeConnection.connect({ address: config.environment.TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowBundle: process.env.BENCH_WORKFLOW_BUNDLE ? { codePath: process.env.BENCH_WORKFLOW_BUNDLE } : undefined,
    workflowsPath: process.env.BENCH_WORKFLOW_BUNDLE ? undefined : require.resolve('./index'),
    activities: createCeilingActivities(config.providers, eventFile),
  });
  await worker.run();
  await connection.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
