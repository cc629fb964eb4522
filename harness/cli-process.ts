import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { environmentSchema } from '../common/config';

const PROJECT_ROOT = join(__dirname, '..');
const CLI = join(PROJECT_ROOT, 'bin', 'order-tracker.js');
/** A CLI command that has not ended by then is stuck: kill it so the test fails instead of hanging. */
const CLI_TIMEOUT_MS = 60_000;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

/**
 * The caller's environment without any variable the project reads (nor TEMPORAL_* for
 * envconfig), so only what a test passes reaches the command.
 */
export function cleanEnvironment(variables: Record<string, string>): NodeJS.ProcessEnv {
  const ours = new Set(Object.keys(environmentSchema.shape));
  const inherited = Object.entries(process.env).filter(([name]) => !ours.has(name) && !name.startsWith('TEMPORAL_'));
  return { ...Object.fromEntries(inherited), ...variables };
}

/** Runs `node bin/order-tracker.js <args>` as a user would, and collects its output and exit code. */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  const startedAt = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, elapsedMs: Date.now() - startedAt });
    });
  });
}
