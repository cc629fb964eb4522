/**
 * Backend code as a team writes it against the installed package (test/integration/package-install.test.ts),
 * compiled with strict TypeScript and `skipLibCheck: false`, so every declaration the package ships
 * is checked against only what the install brought.
 */

/**
 * `tsc --init`'s CommonJS project, strict, with every declaration checked: `typesVersions` gives the
 * classic resolution `order-tracker/worker`. (With `module: node16`, @temporalio/common 1.24's own
 * declarations fail to find `ms`'s types: Temporal's, not this package's.)
 */
export const TSCONFIG = JSON.stringify(
  {
    compilerOptions: {
      target: 'ES2022',
      module: 'commonjs',
      esModuleInterop: true,
      strict: true,
      noUncheckedIndexedAccess: true,
      skipLibCheck: false,
      outDir: 'out',
      rootDir: '.',
    },
    include: ['*.ts'],
  },
  null,
  2,
);

/** What a team on Node 20 has beside the package: Node's own types, at its version. */
export const NODE_TYPES = '@types/node@^20.19.0';

/** The library alone: track an order, wait for its outcome, track it again (nothing starts). */
export const LIGHT_CONSUMER = `import { OrderTracker, connectClient, loadConfig, type TrackOrderResult, type TrackResponse } from 'order-tracker';

async function main(orderId: string): Promise<void> {
  const config = loadConfig();
  const client = await connectClient(config);
  const tracker = new OrderTracker({ client, taskQueue: config.taskQueue });
  const started: TrackResponse = await tracker.track('magma', orderId, { reference: 'cart-981' });
  const result: TrackOrderResult = await tracker.result('magma', orderId);
  const again = await tracker.track('magma', orderId);
  const recordedOutcome = again.kind === 'recorded' ? again.outcome : null;
  process.stdout.write(JSON.stringify({ started: started.kind, outcome: result.outcome, again: again.kind, recordedOutcome }));
  await client.connection.close();
}

void main(process.argv[2] ?? 'no-order-id');
`;

/** The worker side, embedded: a hook that says when it ran; stops on SIGTERM. */
export const WORKER_CONSUMER = `import { loadConfig, runWorkerProcess, type HookContext } from 'order-tracker/worker';

async function onSucceeded(context: HookContext): Promise<void> {
  process.stdout.write(\`hook onSucceeded \${context.idempotencyKey}\\n\`);
}

void runWorkerProcess(loadConfig(), { onSucceeded });
`;
