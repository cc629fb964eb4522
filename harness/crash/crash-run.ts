/**
 * One crash run's identity and bookkeeping: its seed and generator (a run can be played again with
 * --seed), its id (in every order id and the task queue), its work folder, its log (seconds since the
 * start) and its list of problems; and what it started, stopped in reverse order at the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { random } from '../workload/random';
import type { CrashTestOptions } from './crash-options';

const SECOND = 1_000;

export interface CrashRun {
  options: CrashTestOptions;
  startedAt: number;
  seed: number;
  /** The run's seeded generator: the plan first, then the kills' and restarts' moments. */
  rand: () => number;
  runId: string;
  workDir: string;
  log: (line: string) => void;
  problems: string[];
  /** Records a problem (and logs it). */
  problem: (text: string) => void;
}

export function newRun(options: CrashTestOptions): CrashRun {
  const startedAt = Date.now();
  const seed = options.seed ?? Math.floor(Math.random() * 1_000_000);
  const log = (line: string) => options.log?.(`[${((Date.now() - startedAt) / SECOND).toFixed(1).padStart(6)} s] ${line}`);
  const problems: string[] = [];
  return {
    options,
    startedAt,
    seed,
    rand: random(seed),
    runId: randomBytes(3).toString('hex'),
    workDir: mkdtempSync(join(tmpdir(), 'order-tracker-crash-')),
    log,
    problems,
    problem: (text) => {
      problems.push(text);
      log(`PROBLEM: ${text}`);
    },
  };
}

/** What a run started, stopped in reverse order (whatever got started before a failure); a failing stop is ignored. */
export class Teardown {
  private readonly steps: (() => Promise<unknown>)[] = [];

  add(step: () => Promise<unknown>): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    for (const step of this.steps.reverse()) await step().catch(() => undefined);
  }
}
