/**
 * The provider simulators as the crash and cluster tests drive them: scripts added, request logs
 * read. Either in this process (startSandboxStack) or as the `order-tracker sandbox` command in a
 * child process, driven through the control API every simulator serves (sandbox/control-api.ts) —
 * exactly as an operator would run it beside a cluster.
 */
import { join } from 'node:path';
import { startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack';
import type { OrderScript } from '../../sandbox/scenario';
import type { RequestLogEntry } from '../../sandbox/request-log';
import { PROVIDER_NAMES, type ProviderName } from '../../domain/types';
import { PROJECT_ROOT, SupervisedProcess } from '../process-supervisor';

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
  // The last line it prints at start is the last provider's control URL.
  const sandbox = new SupervisedProcess('order-tracker sandbox', process.execPath, [CLI, 'sandbox'], environment, logFile, { readyPattern: /^\s+houdini: \S+/m });
  sandbox.start();
  try {
    await sandbox.ready(START_TIMEOUT_MS);
  } catch (error) {
    await sandbox.stop();
    throw error;
  }
  const printed = sandbox.printed();
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
    close: () => sandbox.stop(),
  };
}
