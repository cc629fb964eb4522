/**
 * `order-tracker worker` or `ingress` run as the real process a deployment runs, for tests that need
 * what only a process does: its configuration from the environment, its metrics endpoint, its
 * traces flushed when it stops (SIGTERM).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import readline from 'node:readline';
import { eventually } from './eventually';

const PROJECT_ROOT = join(__dirname, '..', '..');
/** The worker bundles the workflows at start: tens of seconds on two busy cores. */
const START_TIMEOUT_MS = 90_000;

export type LogEntry = Record<string, unknown> & { message: string; level: string };

export interface ServiceProcess {
  logs(): LogEntry[];
  stderr(): string;
  /** SIGTERM, then waits for the exit (a process that ignores it is killed after 20 s). */
  stop(): Promise<number | null>;
  /** SIGKILL, as a crash: nothing of the process runs after it. */
  kill(): Promise<void>;
  /** SIGSTOP, as a hung process: it exists, and does nothing (kill() still ends it). */
  freeze(): void;
  pid: number | undefined;
}

/** The command's arguments; `worker-with-hook` is the worker with an `onSucceeded` hook (worker-with-hook.ts). */
function commandLine(command: 'worker' | 'worker-with-hook' | 'ingress'): string[] {
  if (command === 'worker-with-hook') return ['-r', 'tsx/cjs', join(__dirname, 'worker-with-hook.ts')];
  return [join(PROJECT_ROOT, 'bin', 'order-tracker.js'), command];
}

/** Starts the command and resolves once it logs `runningMessage` (JSON lines on stdout). */
export async function startService(command: 'worker' | 'worker-with-hook' | 'ingress', env: NodeJS.ProcessEnv, runningMessage: string): Promise<ServiceProcess> {
  const child = spawn(process.execPath, commandLine(command), { cwd: PROJECT_ROOT, env });
  const lines: string[] = [];
  let stderr = '';
  readline.createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const service: ServiceProcess = {
    logs: () => lines.flatMap((line) => (line.startsWith('{') ? [JSON.parse(line) as LogEntry] : [])),
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }
      return child.exitCode;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
    freeze() {
      child.kill('SIGSTOP');
    },
    pid: child.pid,
  };
  try {
    await eventually(
      `${command} logs that it runs`,
      () => {
        if (child.exitCode !== null) throw new Error(`${command} exited ${child.exitCode}: ${stderr}`);
        return service.logs().some((entry) => entry.message === runningMessage);
      },
      { timeoutMs: START_TIMEOUT_MS, intervalMs: 200 },
    );
  } catch (error) {
    await service.stop();
    throw error;
  }
  return service;
}
