import { type StackOptions, withWorkers } from './worker-stack';

export interface RunningWorkers {
  /** Shuts the workers down and waits for them; rethrows what made them stop early, if anything. */
  stop(): Promise<void>;
}

/**
 * The real worker stack of `withWorkers`, kept running across the tests of a file (started in
 * beforeAll, stopped in afterAll), so concurrent tests share one set of workers.
 */
export async function startWorkers(options: StackOptions): Promise<RunningWorkers> {
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let running: Promise<void> | undefined;
  await new Promise<void>((started, failed) => {
    running = withWorkers(options, () => {
      started();
      return released;
    });
    running.catch(failed);
  });
  return {
    async stop() {
      release();
      await running;
    },
  };
}
