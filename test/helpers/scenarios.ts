/**
 * For integration files that start every scenario at once (in beforeAll) and assert each in its own
 * test: outcomes are kept until asked for, and a failure of the workers fails every test at once.
 */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A scenario's outcome, kept until its test asks, so a failure is reported by that test. */
export const settle = <T>(promise: Promise<T>): Promise<Settled<T>> =>
  promise.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));

export const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** Reads until the check holds; fails with the last value read after `timeoutMs`. */
export async function waitFor<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > until) throw new Error(`condition not met in time; last value ${JSON.stringify(value)}`);
    await sleep(250);
  }
}

export class ScenarioOutcomes {
  /** Rejects when the workers fail (say, the workflow bundle does not build), so tests fail fast instead of timing out. */
  workerFailure: Promise<never> = new Promise(() => undefined);

  /** Watches the workers' run: if it ends while scenarios wait, they fail with its error. */
  watch(workersDone: Promise<unknown>): void {
    this.workerFailure = workersDone.then(() => new Promise<never>(() => undefined));
    this.workerFailure.catch(() => undefined); // observed by every test through outcomeOf
  }

  async outcomeOf<T>(scenario: Promise<Settled<T>> | undefined): Promise<T> {
    const settled = await Promise.race([scenario, this.workerFailure]);
    if (settled === undefined) throw new Error('scenario was not started');
    if (!settled.ok) throw settled.error;
    return settled.value;
  }
}
