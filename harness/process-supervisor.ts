/**
 * A worker or an ingress as a child process (`node bin/order-tracker.js worker|ingress`), with its
 * output in a log file of the work folder, restarted after every kill and after any exit of its own:
 * what the crash and fault runs drive.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const PROJECT_ROOT = resolve(__dirname, '..');
const CLI = join(PROJECT_ROOT, 'bin', 'order-tracker.js');
const SECOND = 1_000;

const READY_PATTERNS = {
  worker: /order-tracker worker(: task queue| running)|Worker state changed.{0,80}RUNNING/,
  ingress: /order-tracker ingress running/,
} as const;

/** A worker (or the ingress) as a child process, restarted after every kill and after any exit of its own. */
export class WorkerSupervisor {
  private child: ChildProcess | undefined;
  /** Whether the current child printed that it runs. */
  private isReady = false;
  private expectedExit = new WeakSet<ChildProcess>();
  private stopping = false;
  starts = 0;
  readonly unexpectedExits: string[] = [];

  constructor(
    private readonly environment: NodeJS.ProcessEnv,
    private readonly workDir: string,
    private readonly log: (line: string) => void,
    /** Names its log files and messages, e.g. `worker` or `worker-b`. */
    private readonly label = 'worker',
    private readonly command: keyof typeof READY_PATTERNS = 'worker',
  ) {}

  start(): void {
    this.starts += 1;
    const number = this.starts;
    const name = `${this.label}-${String(number).padStart(2, '0')}`;
    const output: WriteStream = createWriteStream(join(this.workDir, `${name}.log`));
    // Output can still arrive after 'exit' ended the file: never let that fail the run.
    output.on('error', () => undefined);
    const child = spawn(process.execPath, [CLI, this.command], { cwd: PROJECT_ROOT, env: this.environment, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.isReady = false;
    let recent = '';
    const watch = (chunk: Buffer) => {
      if (!output.writableEnded) output.write(chunk);
      if (this.isReady || this.child !== child) return;
      // The worker's "running" line (plain or JSON log), or the SDK's own state change.
      recent = (recent + chunk.toString('utf8')).slice(-4_000);
      if (READY_PATTERNS[this.command].test(recent)) this.isReady = true;
    };
    child.stdout?.on('data', watch);
    child.stderr?.on('data', watch);
    child.once('exit', (code, signal) => {
      output.end(`\n[crash-test] ${name} exited with ${signal ?? `code ${code}`}\n`);
      if (this.expectedExit.has(child) || this.stopping) return;
      const reason = `${name} (pid ${child.pid}) exited by itself with ${signal ?? `code ${code}`} (see ${name}.log)`;
      this.unexpectedExits.push(reason);
      this.log(`${reason}; starting another`);
      if (this.child === child) this.start();
    });
  }

  /** Resolves when the current worker printed that it runs; throws after `timeoutMs`. */
  async ready(timeoutMs = 90 * SECOND): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.isReady) {
      if (Date.now() > deadline) {
        const exits = this.unexpectedExits.length > 0 ? `; ${this.unexpectedExits.slice(-3).join('; ')}` : '';
        throw new Error(`${this.label} ${this.starts} did not start within ${timeoutMs / SECOND} s (logs in ${this.workDir})${exits}`);
      }
      await sleep(100);
    }
  }

  /** SIGKILL now (synchronously: the signal is sent before this returns). */
  killNow(): ChildProcess | undefined {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return undefined;
    this.expectedExit.add(child);
    child.kill('SIGKILL');
    return child;
  }

  /** Waits for a killed worker to be gone, then starts the next one. */
  async restartAfter(child: ChildProcess | undefined): Promise<void> {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
    }
    this.start();
  }

  /** Graceful stop (SIGTERM, then SIGKILL after 10 s). */
  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10 * SECOND);
    await exited;
    clearTimeout(timer);
  }
}
