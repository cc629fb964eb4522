import { parseArgs } from 'node:util';
import { openLedger } from '../activities/ledger/open-ledger';
import { ConfigError, loadConfig, type Config } from '../common/config';
import { parseDuration } from '../common/duration';
import { InvalidInputError, parseOrderId, parseProvider, parseReference } from '../common/order-input';
import { PROVIDER_NAMES, type Outcome, type ProviderName } from '../workflows/types';
import { connectClient, TemporalUnreachableError } from './connect';
import { createCallbackSender } from '../activities/callbacks/callback-sender';
import { discoverMagmaOrders, type Discovered } from './discover';
import { redeliverCallback } from './redeliver';
import { MAX_WAIT_LIMIT_MS, OrderNotFoundError, type OrderTracker, trackerFromConfig } from './order-tracker';
import { followOrder, type FollowMode } from './follow';
import { formatJoined, formatList, formatProgress, formatResult } from './format';

/** Contract exit codes. */
export const ExitCode = {
  ok: 0,
  runtimeError: 1,
  badInput: 2,
  notFound: 3,
  failed: 10,
  timedOut: 11,
  trackingCancelled: 12,
} as const;

export function exitCodeForOutcome(outcome: Outcome): number {
  switch (outcome) {
    case 'succeeded':
      return ExitCode.ok;
    case 'failed':
      return ExitCode.failed;
    case 'timed_out':
      return ExitCode.timedOut;
    case 'tracking_cancelled':
      return ExitCode.trackingCancelled;
  }
}

/** Every command there is; anything else is bad input. `worker` and `ingress` are what deployments run. */
export const COMMANDS = ['dev', 'worker', 'bundle-workflows', 'ingress', 'sandbox', 'track', 'status', 'cancel', 'list', 'discover', 'redeliver'] as const;

const USAGE = `Usage: order-tracker <command> [options]

Commands:
  dev                               the whole stack on embedded defaults (what npm start runs)
  worker                            run workflows and polls against TEMPORAL_ADDRESS
  bundle-workflows <dir>            bundle the workflows ahead of time for WORKFLOW_BUNDLE=<dir>
  ingress                           webhooks, the HTTP API and push bridges (INGRESS_PORT)
  sandbox                           run the provider simulators on 127.0.0.1
  track <provider> <orderId>        start tracking (--max-wait 2h, --ref <reference>, --wait, --follow)
  status <provider> <orderId>       show progress (--follow: live until the order ends)
  cancel <provider> <orderId>       stop tracking (--reason <text>)
  list                              list orders (--provider, --status, --outcome, --limit)
  discover magma                    Magma's recent purchases (--sales for sales, --limit, --track to track those in flight)
  redeliver <provider> <orderId>    send a pending or rejected callback again

Every command takes --json (with --follow: one progress line per change). Providers: ${PROVIDER_NAMES.join(', ')}.
Exit codes: 0 ok/succeeded, 1 runtime error, 2 bad input, 3 not found, 10 failed, 11 timed_out, 12 tracking_cancelled.`;

const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  'max-wait': { type: 'string' },
  ref: { type: 'string' },
  wait: { type: 'boolean' },
  follow: { type: 'boolean' },
  reason: { type: 'string' },
  provider: { type: 'string' },
  status: { type: 'string' },
  outcome: { type: 'string' },
  limit: { type: 'string' },
  sales: { type: 'boolean' },
  track: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

interface Output {
  write(text: string): void;
  error(text: string): void;
  /** Present when stdout is a terminal: `--follow` redraws its view in place through it. */
  terminal?: { write(raw: string): void; columns(): number | undefined };
}

const processOutput: Output = {
  write: (text) => process.stdout.write(`${text}\n`),
  error: (text) => process.stderr.write(`${text}\n`),
  terminal: process.stdout.isTTY
    ? { write: (raw) => process.stdout.write(raw), columns: () => process.stdout.columns }
    : undefined,
};

function expectArguments(command: string, positionals: string[], count: number): string[] {
  if (positionals.length !== count) {
    const shape = count === 2 ? ' <provider> <orderId>' : '';
    throw new InvalidInputError(`${command} takes ${count} argument(s): order-tracker ${command}${shape}`);
  }
  return positionals;
}

/** `<provider> <orderId>`, checked before anything connects: bad input starts nothing. */
function orderArguments(command: string, positionals: string[]): { provider: ProviderName; orderId: string } {
  const [provider, orderId] = expectArguments(command, positionals, 2) as [string, string];
  return { provider: parseProvider(provider), orderId: parseOrderId(orderId) };
}

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new InvalidInputError(`invalid --limit ${JSON.stringify(text)}: use 1-10000`);
  return limit;
}

function parseOutcome(text: string | undefined): Outcome | undefined {
  if (text === undefined) return undefined;
  const outcomes: Outcome[] = ['succeeded', 'failed', 'timed_out', 'tracking_cancelled'];
  if (!(outcomes as string[]).includes(text)) throw new InvalidInputError(`invalid --outcome ${JSON.stringify(text)}: use ${outcomes.join(', ')}`);
  return text as Outcome;
}

async function withTracker<T>(config: Config, run: (tracker: OrderTracker) => Promise<T>): Promise<T> {
  const ledger = await openLedger(config.databaseUrl);
  const client = await connectClient(config).catch(async (error) => {
    await ledger.close();
    throw error;
  });
  try {
    return await run(trackerFromConfig(config, client, ledger));
  } finally {
    await client.connection.close();
    await ledger.close();
  }
}

/** `--follow`: live progress until the order ends, then the contract's exit code for its outcome. */
async function follow(tracker: OrderTracker, provider: string, orderId: string, values: Values, output: Output): Promise<number> {
  const terminal = output.terminal;
  const mode: FollowMode = values.json ? 'json' : terminal ? 'redraw' : 'append';
  const outcome = await followOrder(
    { progress: () => tracker.progress(provider, orderId), result: () => tracker.result(provider, orderId) },
    {
      mode,
      // Output.write adds a line end; the view brings its own.
      write: mode === 'redraw' && terminal ? terminal.write : (text) => output.write(text.replace(/\n$/, '')),
      columns: terminal?.columns,
    },
  );
  return exitCodeForOutcome(outcome);
}

async function runOrderCommand(command: string, positionals: string[], values: Values, output: Output): Promise<number> {
  const config = loadConfig();
  switch (command) {
    case 'track': {
      const { provider, orderId } = orderArguments(command, positionals);
      parseReference(values.ref);
      let maxWaitMs: number | undefined;
      if (values['max-wait'] !== undefined) {
        maxWaitMs = parseDuration(values['max-wait']);
        if (maxWaitMs === undefined) {
          throw new InvalidInputError(`invalid --max-wait ${JSON.stringify(values['max-wait'])}: use a positive duration like 90s, 30m or 2h`);
        }
        if (maxWaitMs > MAX_WAIT_LIMIT_MS) throw new InvalidInputError(`invalid --max-wait ${JSON.stringify(values['max-wait'])}: at most 30 days`);
      }
      return withTracker(config, async (tracker) => {
        const response = await tracker.track(provider, orderId, { maxWaitMs, reference: values.ref });
        if (response.kind === 'recorded') {
          output.write(values.json ? JSON.stringify(response) : `${response.workflowId} already ended: ${response.row.outcome} (${response.row.status ?? 'no status'}), recorded ${response.row.recordedAt}`);
          return exitCodeForOutcome(response.row.outcome);
        }
        const joined = response.joined === undefined ? '' : `\n${formatJoined(response.joined)}`;
        if (values.follow) {
          if (!values.json) output.write(`tracking ${response.workflowId}${joined}`);
          return follow(tracker, provider, orderId, values, output);
        }
        if (!values.wait) {
          output.write(values.json ? JSON.stringify(response) : `tracking ${response.workflowId}${joined}\nfollow it with: order-tracker status ${provider} ${orderId}`);
          return ExitCode.ok;
        }
        const result = await tracker.result(provider, orderId);
        output.write(values.json ? JSON.stringify(result) : formatResult(response.workflowId, result));
        return exitCodeForOutcome(result.outcome);
      });
    }
    case 'status': {
      const { provider, orderId } = orderArguments(command, positionals);
      return withTracker(config, async (tracker) => {
        if (values.follow) return follow(tracker, provider, orderId, values, output);
        const progress = await tracker.progress(provider, orderId);
        output.write(values.json ? JSON.stringify(progress) : formatProgress(progress, Date.now()));
        return progress.outcome === null ? ExitCode.ok : exitCodeForOutcome(progress.outcome);
      });
    }
    case 'cancel': {
      const { provider, orderId } = orderArguments(command, positionals);
      return withTracker(config, async (tracker) => {
        await tracker.cancel(provider, orderId, values.reason);
        output.write(values.json ? JSON.stringify({ cancelled: true, provider, orderId }) : `cancel requested for ${provider} order ${orderId}`);
        return ExitCode.ok;
      });
    }
    case 'list': {
      expectArguments(command, positionals, 0);
      const filter = {
        provider: values.provider === undefined ? undefined : parseProvider(values.provider),
        status: values.status,
        outcome: parseOutcome(values.outcome),
        limit: parseLimit(values.limit),
      };
      return withTracker(config, async (tracker) => {
        const orders = await tracker.list(filter);
        output.write(values.json ? JSON.stringify(orders) : formatList(orders));
        return ExitCode.ok;
      });
    }
    case 'discover': {
      const [provider] = expectArguments(command, positionals, 1) as [string];
      if (parseProvider(provider) !== 'magma') throw new InvalidInputError(`discover supports magma only (the seeds give only Magma a list query), not ${provider}`);
      const side = values.sales ? 'sales' : 'purchases';
      const limit = parseLimit(values.limit) ?? 20;
      const orders = values.track
        ? await withTracker(config, (tracker) => discoverMagmaOrders(config, side, limit, tracker))
        : await discoverMagmaOrders(config, side, limit);
      output.write(values.json ? JSON.stringify(orders) : formatDiscovered(orders));
      return ExitCode.ok;
    }
    case 'redeliver': {
      const { provider, orderId } = orderArguments(command, positionals);
      const { FULFILLMENT_WEBHOOK_URL: url, FULFILLMENT_WEBHOOK_SECRET: secrets } = config.environment;
      if (!url || !secrets) throw new ConfigError('redeliver needs FULFILLMENT_WEBHOOK_URL and FULFILLMENT_WEBHOOK_SECRET');
      const ledger = await openLedger(config.databaseUrl);
      try {
        const sender = createCallbackSender({ url, secrets: secrets.split(',').map((secret) => secret.trim()).filter(Boolean) });
        const result = await redeliverCallback(ledger, sender, provider, orderId);
        output.write(values.json ? JSON.stringify(result) : `callback ${result.callback}${result.detail ? `: ${result.detail}` : ''}`);
        return result.callback === 'delivered' ? ExitCode.ok : ExitCode.runtimeError;
      } finally {
        await ledger.close();
      }
    }
    default:
      throw new InvalidInputError(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
  }
}

function formatDiscovered(orders: Discovered[]): string {
  if (orders.length === 0) return 'no orders';
  return orders
    .map((order) => [order.id, order.status, order.createdAt ?? '—', order.tracking ? `tracking: ${order.tracking}` : ''].join('  ').trim())
    .join('\n');
}

/** Runs one CLI invocation and returns its exit code; errors are printed, never thrown. */
export async function runCli(argv: string[], output: Output = processOutput): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    const [command, ...rest] = positionals;
    if (values.help || command === undefined) {
      output.write(USAGE);
      return command === undefined && !values.help ? ExitCode.badInput : ExitCode.ok;
    }
    if (!(COMMANDS as readonly string[]).includes(command)) throw new InvalidInputError(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
    switch (command) {
      // Loaded on demand (require, so tsx resolves the .ts files): status and track stay quick to start.
      case 'dev':
        return await withDevelopmentDependencies('dev', () => require('../workers/dev') as typeof import('../workers/dev')).runDev();
      case 'worker':
        return await (require('../workers/run-worker') as typeof import('../workers/run-worker')).runWorker();
      case 'bundle-workflows': {
        const [dir, ...extra] = rest;
        if (dir === undefined || extra.length > 0) throw new InvalidInputError('bundle-workflows takes one folder: order-tracker bundle-workflows <dir>');
        const { writeWorkflowBundles } = require('../workers/workflow-bundle') as typeof import('../workers/workflow-bundle');
        for (const path of await writeWorkflowBundles(dir)) output.write(`wrote ${path}`);
        return ExitCode.ok;
      }
      case 'sandbox':
        return await withDevelopmentDependencies('sandbox', () => require('../sandbox/run-sandbox') as typeof import('../sandbox/run-sandbox')).runSandbox(output);
      case 'ingress':
        return await (require('../workers/run-ingress') as typeof import('../workers/run-ingress')).runIngress();
      default:
        return await runOrderCommand(command, rest, values, output);
    }
  } catch (error) {
    return reportError(error, output);
  }
}

/**
 * `dev` and `sandbox` run the provider simulators, whose servers (socket.io) are devDependencies:
 * the production image, installed with --omit=dev, says so instead of printing a stack.
 */
function withDevelopmentDependencies<T>(command: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== 'MODULE_NOT_FOUND') throw error;
    const missing = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ConfigError(`${command} needs the development dependencies (npm ci without --omit=dev): ${missing}`);
  }
}

function reportError(error: unknown, output: Output): number {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof InvalidInputError || error instanceof ConfigError || isParseArgsError(error)) {
    output.error(`order-tracker: ${message}`);
    return ExitCode.badInput;
  }
  if (error instanceof OrderNotFoundError) {
    output.error(`order-tracker: ${message}`);
    return ExitCode.notFound;
  }
  if (error instanceof TemporalUnreachableError) {
    output.error(`order-tracker: ${message}`);
    return ExitCode.runtimeError;
  }
  output.error(`order-tracker: ${error instanceof Error && error.stack ? error.stack : message}`);
  return ExitCode.runtimeError;
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
