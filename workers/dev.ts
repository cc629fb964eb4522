import { join } from 'node:path';
import { trackerFromConfig } from '../client/order-tracker';
import { loadConfig } from '../common/config';
import { findFreePort } from '../common/temporal-servers';
import { addDemoOrders } from '../sandbox/demo-orders';
import { demoBanner } from '../sandbox/demo-banner';
import { startSandboxStack, type SandboxStack } from '../sandbox/sandbox-stack';
import { isPortFree, startDevServer, type DevServer } from './dev-server';
import { installTelemetry } from './telemetry';
import { installTracing } from '../common/tracing';
import { tracingSettings } from '../common/observability-variables';
import type { Client } from '@temporalio/client';
import { startIngressProcess } from './ingress-process';
import { runtimeReporting } from './run-ingress';
import { startWorkerProcess } from './worker-process';

/** The ports a Temporal user expects; another free port when something already holds them. */
const PREFERRED_PORT = 7233;
const PREFERRED_UI_PORT = 8233;

async function portOrFree(preferred: number): Promise<number> {
  return (await isPortFree(preferred)) ? preferred : findFreePort();
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/**
 * `npm start`: the embedded Temporal dev server (SQLite file, Web UI), the worker, and — when no
 * provider credentials are set — the provider simulators with demo orders. One command, Ctrl-C stops all.
 */
export async function runDev(): Promise<number> {
  const initial = loadConfig();
  // JSON logs on stderr, so stdout keeps the readable lines below.
  const { metricsUrl } = installTelemetry(initial, (line) => process.stderr.write(line));
  const tracing = installTracing(tracingSettings(initial.environment), 'order-tracker-dev');
  let server: DevServer | undefined;
  let sandbox: SandboxStack | undefined;
  try {
    const environment: NodeJS.ProcessEnv = { ...process.env };
    if (process.env.TEMPORAL_ADDRESS === undefined) {
      server = await startDevServer({
        dbFile: join(initial.dataDirectory, 'temporal.sqlite'),
        port: await portOrFree(PREFERRED_PORT),
        uiPort: await portOrFree(PREFERRED_UI_PORT),
        namespace: initial.namespace,
      });
      environment.TEMPORAL_ADDRESS = server.address;
    }
    // The ingress port is chosen first: OZZOBiT's simulator posts its webhooks there.
    const ingressPort = await portOrFree(initial.environment.INGRESS_PORT);
    if (initial.configuredProviders.length === 0) {
      sandbox = await startSandboxStack({ ozzobitWebhookUrl: `http://127.0.0.1:${ingressPort}/webhooks/ozzobit` });
      Object.assign(environment, sandbox.environment);
    }
    const config = loadConfig(environment);
    // The worker and the ingress as production runs them, each with its own connections; the ingress stops first.
    const worker = await startWorkerProcess(config);
    const ingress = await startIngressProcess(config, { port: ingressPort, reporting: runtimeReporting() }).catch(async (error: unknown) => {
      await worker.stop();
      throw error;
    });
    say('');
    say(`order-tracker is running. Temporal ${config.environment.TEMPORAL_ADDRESS}, task queue ${config.taskQueue}.`);
    if (server) say(`Temporal UI: ${server.uiUrl}/namespaces/${config.namespace}/workflows`);
    if (metricsUrl) say(`Metrics: ${metricsUrl}`);
    say(`Ingress (webhooks and HTTP API): ${ingress.address}; push bridges: ${ingress.bridges.join(', ') || 'none'}`);
    if (sandbox) {
      // New ids at every start: a restarted demo offers orders that have not ended yet.
      const runId = Math.random().toString(36).slice(2, 7);
      const demos = addDemoOrders(sandbox, runId);
      const tracker = trackerFromConfig(config, worker.client as Client, worker.stores.ledger); // a process of its own has a client
      for (const demo of demos) await tracker.track(demo.provider, demo.orderId, { maxWaitMs: demo.maxWaitMs });
      const commandPrefix = server && server.address !== `127.0.0.1:${PREFERRED_PORT}` ? `TEMPORAL_ADDRESS=${server.address} ` : '';
      const { magma, miraclecash, ozzobit, houdini } = sandbox;
      const controlUrls = { magma: magma.controlUrl, miraclecash: miraclecash.controlUrl, ozzobit: ozzobit.controlUrl, houdini: houdini.controlUrl };
      for (const line of demoBanner({ demos, runId, commandPrefix, controlUrls })) say(line);
    } else {
      say(`Polling ${config.configuredProviders.join(', ')}. Track an order with: npx order-tracker track <provider> <orderId>`);
    }
    say('Ctrl-C stops everything.');
    // A push bridge that stops (refused credentials) is reported; polling goes on without it.
    ingress.failed.catch((error: unknown) => say(`push bridge stopped: ${error instanceof Error ? error.message : String(error)}`));
    try {
      await worker.done;
    } finally {
      await ingress.stop();
      await worker.stop();
    }
    return 0;
  } finally {
    await tracing?.shutdown();
    await sandbox?.close();
    await server?.stop();
  }
}
