/**
 * `npm start` as a process manager runs it: one signal to the process `npm start` started stops the
 * whole stack (the CLI's `dev`, the Temporal dev server, the simulators), and a clean stop logs no
 * ERROR line. Its data goes to a folder of its own (ORDER_TRACKER_DATA_DIR).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../../common/temporal-servers';
import { eventually } from '../helpers/eventually';

const ROOT = join(__dirname, '..', '..');
/** The stack is up when the banner's last line is out (a dev server, the worker, the demo tracked). */
const READY_LINE = 'Ctrl-C stops everything.';

/** Every live process whose ancestry leads to `pid`, read from /proc. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const visit = (parent: number): void => {
    for (const [child, ppid] of parents) {
      if (ppid !== parent) continue;
      found.push(child);
      visit(child);
    }
  };
  visit(pid);
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test.each(['SIGTERM', 'SIGINT'] as const)(
  '%s to the npm start process stops the whole stack, with no ERROR line',
  async (signal) => {
    const dataDirectory = mkdtempSync(join(tmpdir(), 'order-tracker-npm-start-'));
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('npm_') && !name.startsWith('TEMPORAL_') && !/^(MAGMA|MIRACLECASH|OZZOBIT|HOUDINI)_/.test(name)));
    const child = spawn('npm', ['start'], {
      cwd: ROOT,
      env: { ...env, NODE_OPTIONS: '', ORDER_TRACKER_DATA_DIR: dataDirectory, INGRESS_PORT: String(await findFreePort()) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const pid = child.pid as number;
    let stack: number[] = [];
    try {
      await eventually('the stack is up', () => stdout.includes(READY_LINE), { timeoutMs: 180_000, intervalMs: 500 });
      stack = descendants(pid);
      const commands = stack.map((member) => readFileSync(`/proc/${member}/cmdline`, 'utf8').replaceAll('\0', ' '));
      expect(commands.some((command) => command.includes('order-tracker.js dev'))).toBe(true);
      expect(commands.some((command) => command.includes('server start-dev'))).toBe(true);

      process.kill(pid, signal);
      await exited;
      await eventually('no process of the stack is left', () => stack.every((member) => !alive(member)), { timeoutMs: 30_000 });
    } finally {
      for (const member of [pid, ...stack]) if (alive(member)) process.kill(member, 'SIGKILL');
      rmSync(dataDirectory, { recursive: true, force: true });
    }
    const errors = `${stdout}\n${stderr}`.split('\n').filter((line) => /"level":"ERROR"|\bERROR\b/.test(line));
    expect(errors).toEqual([]);
  },
  240_000,
);
