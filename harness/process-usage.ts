/**
 * Child processes of the benchmark (workers, the Temporal dev server, redis-server) and what
 * /proc says about them: CPU seconds (utime + stime) and peak resident memory (VmHWM).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const PROJECT_ROOT = resolve(__dirname, '..');
const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcessUsage {
  cpuSeconds: number;
  peakRssBytes: number;
}

/** utime + stime of a live process, in seconds; 0 once it is gone. */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Peak resident set size (VmHWM) of a live process, in bytes; 0 once it is gone. */
export function peakRssBytes(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * A child whose CPU and peak RSS are accounted across restarts: a SIGKILLed process's usage is
 * sampled just before the kill and added to the next one's.
 */
/** How much of a child's latest output is kept for waitForOutput. */
const OUTPUT_TAIL_CHARS = 1_048_576;

export class ManagedProcess {
  private child: ChildProcess | undefined;
  private usedCpuBefore = 0;
  private peakBefore = 0;
  private cpuAtMark = 0;
  /** The running child's output so far (its tail): what waitForOutput looks in first. */
  private output = '';
  starts = 0;

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly environment: NodeJS.ProcessEnv,
    private readonly logFile: string,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(this.command, this.args, { cwd: PROJECT_ROOT, env: this.environment, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    // Kept from the start, so a line printed before anyone waits for it (a second process started
    // while the caller waits for the first) is still found.
    this.output = '';
    const keep = (chunk: Buffer) => {
      if (this.child === child) this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('error', (error) => log.write(`spawn error: ${error.message}\n`));
    this.child = child;
    this.starts += 1;
  }

  /**
   * Resolves once the running child prints `text` (stdout or stderr); rejects when it exits first or
   * `timeoutMs` passes. A contender's clock must not start while its worker is still starting: on a
   * busy machine that takes tens of seconds (compiling, bundling the workflows).
   */
  waitForOutput(text: string, timeoutMs: number): Promise<void> {
    const child = this.child;
    if (child === undefined) return Promise.reject(new Error(`${this.name} is not running`));
    if (this.output.includes(text)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      let seen = this.output;
      const done = (error?: Error) => {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        child.off('exit', onExit);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onData = (chunk: Buffer) => {
        // Keep only a tail as long as the text, so a line split across chunks is still found.
        seen = (seen + chunk.toString('utf8')).slice(-(text.length + 65_536));
        if (seen.includes(text)) done();
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
        done(new Error(`${this.name} exited (${signal ?? `code ${code}`}) before printing ${JSON.stringify(text)}; see ${this.logFile}`));
      const timer = setTimeout(() => done(new Error(`${this.name} did not print ${JSON.stringify(text)} within ${timeoutMs / 1000} s; see ${this.logFile}`)), timeoutMs);
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.on('exit', onExit);
    });
  }

  send(message: unknown): void {
    this.child?.send?.(message as never);
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

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    this.usedCpuBefore += cpuSeconds(child.pid) - this.cpuAtMark;
    this.cpuAtMark = 0;
    this.peakBefore = Math.max(this.peakBefore, peakRssBytes(child.pid));
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  async stop(): Promise<void> {
    await this.kill('SIGTERM');
  }
}

/** Node with tsx, so a child runs TypeScript directly like the CLI does. */
export function tsxArgs(file: string): [string, string[]] {
  return [process.execPath, ['--require', 'tsx/cjs', resolve(PROJECT_ROOT, file)]];
}
