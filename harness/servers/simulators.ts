/**
 * The provider simulators as the crash and cluster tests drive them: scripts added, request logs
 * read. Either in this process (startSandboxStack) or as the `order-tracker sandbox` command in a
 * child process, driven through the control API every simulator serves (sandbox/control-api.ts) —
 * exactly as an operator would run it beside a cluster.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack';
import type { OrderScript } from '../../sandbox/scenario';
import type { RequestLogEntry } from '../../sandbox/request-log';
import { PROVIDER_NAMES, type ProviderName } from '../../domain/types';

const PROJECT_ROOT = resolve(__dirname, '..', '..');
const CLI = join(PROJECT_ROOT, 'bin', 'order-tracker.js');
const START_TIMEOUT_MS = 60_000;

export interface Simulators {
  /** The provider variables (URLs, credentials, push settings) that point a worker or ingress at them. */
  environment: Record<string, string>;
  /** Providers whose simulator takes scripted orders. */
  providers: ProviderName[];
  addOrder(provider: ProviderName, script: OrderScript): Promise<void>;
  /** Every request the provider's API received, in arrival order. */
  requests(provider: ProviderName): Promise<RequestLogEntry[]>;
  close(): Promise<void>;
}

/** The simulators in this process. */
export async function inProcessSimulators(): Promise<Simulators> {
  const stack: SandboxStack = await startSandboxStack();
  return {
    environment: stack.environment,
    providers: [...PROVIDER_NAMES],
    addOrder: async (provider, script) => stack[provider].addOrder(script as never),
    requests: async (provider) => stack[provider].requests(),
    close: () => stack.close(),
  };
}

/**
 * `order-tracker sandbox` as a child process; `environment` must hold INGRESS_PORT, where OZZOBiT's
 * simulator posts its webhooks. Its demo orders are loaded too (the command always does).
 */
export async function sandboxProcess(environment: NodeJS.ProcessEnv, logFile: string): Promise<Simulators> {
  const child: ChildProcess = spawn(process.execPath, [CLI, 'sandbox'], { cwd: PROJECT_ROOT, env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = createWriteStream(logFile);
  // A log line after the file closed must never fail the run ("write after end").
  output.on('error', () => undefined);
  child.stderr?.on('data', (chunk: Buffer) => {
    if (!output.writableEnded) output.write(chunk);
  });
  const printed = await new Promise<string>((done, fail) => {
    let text = '';
    const timer = setTimeout(() => fail(new Error(`order-tracker sandbox printed no control URLs within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (!output.writableEnded) output.write(chunk);
      text += chunk.toString('utf8');
      // The last line it prints at start is the last provider's control URL.
      if (/^\s+houdini: \S+/m.test(text)) {
        clearTimeout(timer);
        done(text);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      fail(new Error(`order-tracker sandbox exited with ${signal ?? `code ${code}`} before it was ready (log: ${logFile})`));
    });
  });
  const variables: Record<string, string> = {};
  for (const match of printed.matchAll(/^\s+export ([A-Z0-9_]+)=(\S*)$/gm)) variables[match[1] as string] = match[2] as string;
  const controlUrls = new Map<ProviderName, string>();
  for (const provider of PROVIDER_NAMES) {
    const match = new RegExp(`^\\s+${provider}: (\\S+)$`, 'm').exec(printed);
    if (match === null) throw new Error(`order-tracker sandbox printed no control URL for ${provider}`);
    controlUrls.set(provider, (match[1] as string).replace(/\/$/, ''));
  }
  const control = (provider: ProviderName, path: string) => `${controlUrls.get(provider)}/${path}`;
  return {
    environment: variables,
    providers: [...PROVIDER_NAMES],
    addOrder: async (provider, script) => {
      const response = await fetch(control(provider, 'orders'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(script),
      });
      if (response.status !== 201) throw new Error(`${provider} simulator refused script ${script.id}: ${response.status} ${await response.text()}`);
    },
    requests: async (provider) => {
      const response = await fetch(control(provider, 'requests'));
      if (!response.ok) throw new Error(`${provider} simulator's request log: ${response.status}`);
      return ((await response.json()) as { requests: RequestLogEntry[] }).requests;
    },
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      output.end();
    },
  };
}
