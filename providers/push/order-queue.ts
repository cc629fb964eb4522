/**
 * Delivers one order's pushes in the order they arrived, while different orders go in parallel.
 * Signals of one order racing each other would still be harmless (the workflow keeps the highest
 * rank), but in order they also keep the signal, ledger check and signal-with-start of one order
 * from overlapping. `drained()` lets `stop()` wait for pushes in flight.
 */
export class OrderQueue {
  private readonly tails = new Map<string, Promise<void>>();
  private pending = 0;

  /** Tasks queued or running, over all keys. */
  get size(): number {
    return this.pending;
  }

  /** Runs `task` after the key's earlier tasks. The bridge logs its own failures; a rejection here only ends the task. */
  run(key: string, task: () => Promise<void>): Promise<void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    this.pending += 1;
    const next: Promise<void> = previous
      .then(task)
      .catch(() => undefined)
      .finally(() => {
        this.pending -= 1;
        if (this.tails.get(key) === next) this.tails.delete(key);
      });
    this.tails.set(key, next);
    return next;
  }

  async drained(): Promise<void> {
    while (this.tails.size > 0) await Promise.allSettled([...this.tails.values()]);
  }
}
