/**
 * The harness's one process supervisor (harness/process-supervisor.ts), on real child processes:
 * what the crash and fault runs need of a worker (restarted after an exit of its own, not after a
 * kill or a stop; a log file per start; ready once it printed its line) and what the bench needs
 * (waiting for a line, refusing when the child died first, CPU accounted across a kill).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SupervisedProcess } from '../../harness/process-supervisor';

let workDir: string;
const running: SupervisedProcess[] = [];

beforeEach(() => {
  workDir = mkdtempSync(join(tmpdir(), 'supervisor-test-'));
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((child) => child.stop()));
  rmSync(workDir, { recursive: true, force: true });
});

/** A node child running `code`; each start logs to `<name>-NN.log`. */
function node(name: string, code: string, options: ConstructorParameters<typeof SupervisedProcess>[5] = {}): SupervisedProcess {
  const child = new SupervisedProcess(name, process.execPath, ['-e', code], process.env, (start) => join(workDir, `${name}-${String(start).padStart(2, '0')}.log`), options);
  running.push(child);
  return child;
}

const RUNS_THEN_EXITS = "console.log('up and running'); setTimeout(() => process.exit(3), 300)";
const RUNS = "console.log('up and running'); setInterval(() => undefined, 1000)";

test('a child that exits by itself is started again, each start with its own log, and the exit is recorded', async () => {
  const lines: string[] = [];
  const child = node('worker', RUNS_THEN_EXITS, { restartOnExit: true, readyPattern: /up and running/, log: (line) => lines.push(line) });
  child.start();
  await child.ready(30_000);
  while (child.starts < 3) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(child.unexpectedExits.length).toBeGreaterThanOrEqual(2);
  expect(child.unexpectedExits[0]).toMatch(/^worker 1 \(pid \d+\) exited by itself with code 3/);
  expect(lines[0]).toMatch(/starting another$/);
  await child.stop();
  const logs = readdirSync(workDir).sort();
  expect(logs.slice(0, 2)).toEqual(['worker-01.log', 'worker-02.log']);
  expect(readFileSync(join(workDir, 'worker-01.log'), 'utf8')).toContain('up and running');
});

test('a kill or a stop is not followed by a restart; restartAfter starts the next one', async () => {
  const child = node('worker', RUNS, { restartOnExit: true, readyPattern: /up and running/ });
  child.start();
  await child.ready(30_000);
  const killed = child.killNow();
  expect(killed?.pid).toBeDefined();
  await child.restartAfter(killed);
  await child.ready(30_000);
  expect(child.starts).toBe(2);
  await child.stop();
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(child.starts).toBe(2);
  expect(child.unexpectedExits).toEqual([]);
  expect(child.exited()).toBe('SIGTERM');
});

test('waiting for a line refuses once the child died without printing it', async () => {
  const child = node('seed-loops', "console.log('something else'); process.exit(1)");
  child.start();
  await expect(child.waitForOutput('never printed', 30_000)).rejects.toThrow(/seed-loops exited \(code 1\) before printing "never printed"/);
});

test('a line printed before anyone waits is still found, and stdout is kept apart from stderr', async () => {
  const child = node('sandbox', "console.error('noise'); console.log('  houdini: http://127.0.0.1:1/'); setInterval(() => undefined, 1000)", { readyPattern: /^\s+houdini: \S+/m });
  child.start();
  await child.ready(30_000);
  await child.waitForOutput('houdini:', 1_000);
  expect(child.printed()).toBe('  houdini: http://127.0.0.1:1/\n');
});

test('CPU seconds are counted across a SIGKILL and a new start', async () => {
  // Spins until it has used half a CPU-second of its own (however busy the machine), then says so.
  const busy = "while (process.cpuUsage().user < 500000); console.log('spun'); setInterval(() => undefined, 1000)";
  const child = node('bench-worker', busy);
  child.start();
  child.mark();
  await child.waitForOutput('spun', 60_000);
  const beforeKill = child.cpuSinceMark();
  await child.kill('SIGKILL');
  child.start();
  await child.waitForOutput('spun', 60_000);
  expect(beforeKill).toBeGreaterThanOrEqual(0.4);
  expect(child.cpuSinceMark()).toBeGreaterThanOrEqual(beforeKill);
  expect(child.peakRss()).toBeGreaterThan(0);
});
