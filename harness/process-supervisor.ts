/**
 * The harness's one process supervisor: every child the bench, the crash, cluster and fault runs
 * start (workers, ingresses, Temporal servers, redis-server, the seed loops) is a SupervisedProcess.
 * Its output goes to a log file (one for all starts, or one per start) and its tail is kept, so a
 * caller can wait for a line it printed; it can be SIGKILLed and started again, restarted by itself
 * after an exit nobody asked for (`restartOnExit`: what the crash and fault runs need of a worker),
 * and its CPU seconds and peak RSS are accounted across restarts (what the bench measures).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuSeconds, peakRssBytes } from './process-usage';

export const PROJECT_ROOT = resolve(__dirname, '..');
const CLI = join(PROJECT_ROOT, 'bin', 'order-tracker.js');
const SECOND = 1_000;
/** How much of a child's latest output is kept for waitForOutput and ready. */
const OUTPUT_TAIL_CHARS = 1_048_576;
/** A stop (SIGTERM) or a kill is followed by SIGKILL after this long, unless told otherwise. */
const STOP_GRACE_MS = 10 * SECOND;

export interface SupervisionOptions {
  /** Start another when the process exits without being killed or stopped. */
  restartOnExit?: boolean;
  /** What the process prints once it runs: `ready()` waits for it. */
  readyPattern?: RegExp;
  /** Told when a process exits by itself. */
  log?: (line: string) => void;
  /** How long a stop (SIGTERM) or a kill waits before SIGKILL (default 10 s). */
  stopGraceMs?: number;
}

export class SupervisedProcess {
  private child: ChildProcess | undefined;
  /** The running child's output so far (its tail): what waitForOutput and ready look in. */
  private output = '';
  /** The same of its stdout alone (lines never cut by the other stream's). */
  private stdout = '';
  private expectedExit = new WeakSet<ChildProcess>();
  private stopping = false;
  private usedCpuBefore = 0;
  private peakBefore = 0;
  private cpuAtMark = 0;
  starts = 0;
  /** Exits nobody asked for (each followed by a new start when `restartOnExit`). */
  readonly unexpectedExits: string[] = [];

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly environment: NodeJS.ProcessEnv,
    /** One file for every start (appended), or a file per start (by its number, from 1). */
    private readonly logFile: string | ((start: number) => string),
    private readonly options: SupervisionOptions = {},
  ) {}

  private currentLogFile(): string {
    return typeof this.logFile === 'string' ? this.logFile : this.logFile(this.starts);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    this.starts += 1;
    this.stopping = false;
    const logFile = this.currentLogFile();
    const log = createWriteStream(logFile, { flags: 'a' });
    // Output can still arrive after 'exit' ended the file: never let that fail the run.
    log.on('error', () => undefined);
    const child = spawn(this.command, this.args, { cwd: PROJECT_ROOT, env: this.environment, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    this.child = child;
    // Kept from the start, so a line printed before anyone waits for it is still found.
    this.output = '';
    this.stdout = '';
    const keep = (chunk: Buffer) => {
      if (!log.writableEnded) log.write(chunk);
      if (this.child === child) this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (this.child === child) this.stdout = (this.stdout + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    });
    child.stderr?.on('data', keep);
    child.on('error', (error) => log.write(`spawn error: ${error.message}\n`));
    const started = this.starts;
    child.once('exit', (code, signal) => {
      log.end(`\n[supervisor] ${this.name} (start ${started}) exited with ${signal ?? `code ${code}`}\n`);
      if (this.expectedExit.has(child) || this.stopping) return;
      const reason = `${this.name} ${started} (pid ${child.pid}) exited by itself with ${signal ?? `code ${code}`} (see ${logFile})`;
      this.unexpectedExits.push(reason);
      if (!this.options.restartOnExit || this.child !== child) return;
      this.options.log?.(`${reason}; starting another`);
      this.start();
    });
  }

  /**
   * Resolves once the current child printed its ready pattern (waiting through restarts when
   * `restartOnExit`); throws after `timeoutMs`, or once the child exited when nothing restarts it.
   */
  ready(timeoutMs = 90 * SECOND): Promise<void> {
    const pattern = this.options.readyPattern;
    if (pattern === undefined) return Promise.reject(new Error(`${this.name} has no ready pattern: wait for its output instead`));
    return this.until(() => pattern.test(this.output), timeoutMs, `its ready line (${pattern.source})`);
  }

  /**
   * Resolves once the running child printed `text` (stdout or stderr). A contender's clock must not
   * start while its worker is still starting: on a busy machine that takes tens of seconds
   * (compiling, bundling the workflows).
   */
  waitForOutput(text: string, timeoutMs: number): Promise<void> {
    if (this.child === undefined) return Promise.reject(new Error(`${this.name} is not running`));
    return this.until(() => this.output.includes(text), timeoutMs, JSON.stringify(text));
  }

  private async until(seen: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!seen()) {
      const exit = this.options.restartOnExit ? undefined : this.exited();
      if (exit !== undefined) throw new Error(`${this.name} exited (${exit}) before printing ${what}; see ${this.currentLogFile()}`);
      if (Date.now() > deadline) {
        const exits = this.unexpectedExits.length > 0 ? `; ${this.unexpectedExits.slice(-3).join('; ')}` : '';
        throw new Error(`${this.name} ${this.starts} did not print ${what} within ${timeoutMs / SECOND} s (log: ${this.currentLogFile()})${exits}`);
      }
      await sleep(100);
    }
  }

  /** What the running child printed to stdout so far (its last megabyte). */
  printed(): string {
    return this.stdout;
  }

  /** How the current child ended (`SIGKILL`, `code 1`), or undefined while it runs. */
  exited(): string | undefined {
    const child = this.child;
    if (child === undefined || (child.exitCode === null && child.signalCode === null)) return undefined;
    return child.signalCode ?? `code ${child.exitCode}`;
  }

  send(message: unknown): void {
    this.child?.send?.(message as never);
  }

  /** Sends `signal` now (synchronously: it is sent before this returns); undefined when no child runs. */
  killNow(signal: NodeJS.Signals = 'SIGKILL'): ChildProcess | undefined {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return undefined;
    // The usage of a process about to die is sampled now and carried to the next one.
    this.usedCpuBefore += cpuSeconds(child.pid) - this.cpuAtMark;
    this.cpuAtMark = 0;
    this.peakBefore = Math.max(this.peakBefore, peakRssBytes(child.pid));
    this.expectedExit.add(child);
    child.kill(signal);
    return child;
  }

  /** Sends `signal` and waits for the child to be gone (SIGKILL after 10 s). */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    this.killNow(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), this.options.stopGraceMs ?? STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }

  /** Waits for a killed child to be gone, then starts the next one. */
  async restartAfter(child: ChildProcess | undefined): Promise<void> {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
    }
    this.start();
  }

  /** Graceful stop (SIGTERM, then SIGKILL after 10 s); no restart follows. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.kill('SIGTERM');
  }

  /** CPU seconds since the last mark(), across restarts. */
  cpuSinceMark(): number {
    return this.usedCpuBefore + cpuSeconds(this.pid) - this.cpuAtMark;
  }

  mark(): void {
    this.usedCpuBefore = 0;
    this.cpuAtMark = cpuSeconds(this.pid);
  }

  peakRss(): number {
    return Math.max(this.peakBefore, peakRssBytes(this.pid));
  }
}

const READY_PATTERNS = {
  worker: /order-tracker worker(: task queue| running)|Worker state changed.{0,80}RUNNING/,
  ingress: /order-tracker ingress running/,
} as const;

export interface CliProcessOptions {
  environment: NodeJS.ProcessEnv;
  /** Where each start's log goes, as `<label>-NN.log`. */
  workDir: string;
  log: (line: string) => void;
  /** Names its log files and messages, e.g. `worker` or `worker-b` (default: the command). */
  label?: string;
}

/**
 * `node bin/order-tracker.js worker|ingress` as the crash and fault runs drive it: restarted after
 * every kill and after any exit of its own, ready once it prints that it runs (plain or JSON log, or
 * the SDK's own state change).
 */
export function cliProcess(command: keyof typeof READY_PATTERNS, options: CliProcessOptions): SupervisedProcess {
  const label = options.label ?? command;
  return new SupervisedProcess(label, process.execPath, [CLI, command], options.environment, (start) => join(options.workDir, `${label}-${String(start).padStart(2, '0')}.log`), {
    restartOnExit: true,
    readyPattern: READY_PATTERNS[command],
    log: options.log,
  });
}

/** Node with tsx, so a child runs TypeScript directly like the CLI does. */
export function tsxArgs(file: string): [string, string[]] {
  return [process.execPath, ['--require', 'tsx/cjs', resolve(PROJECT_ROOT, file)]];
}
