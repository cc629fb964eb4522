import { MAX_WAIT_LIMIT_MS, type OrderTracker, trackerFromConfig } from '../client/order-tracker';
import { connectClient } from '../client/connect';
import { oneOf, wholeNumber } from '../common/arguments';
import { ConfigError, loadConfig, type Config } from '../common/config';
import { tracingSettings } from '../common/observability-variables';
import { installTracing } from '../common/tracing';
import { parseDuration } from '../common/duration';
import { InvalidInputError, parseOrderId, parseProvider, parseReference } from '../common/order-input';
import type { Outcome, ProviderName } from '../domain/types';
import type { Discovered } from './discover';
import { ExitCode, exitCodeForOutcome } from './exit-codes';
import { followOrder, type FollowMode } from './follow';
import { formatJoined, formatList, formatProgress, formatRecorded, formatResult } from './format';
import { formatOrderHistory, parseHistoryLimit, readOrderHistory } from '../client/order-history';
import { type Output, USAGE, type Values } from './usage';
import { loadWorkerSide } from './worker-side';

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
  return text === undefined ? undefined : wholeNumber('--limit', text, 1, 10_000);
}

function parseOutcome(text: string | undefined): Outcome | undefined {
  return text === undefined ? undefined : oneOf<Outcome>('--outcome', text, ['succeeded', 'failed', 'timed_out', 'tracking_cancelled']);
}

/** `discover --track` starts listed orders up to this old unless `--max-age` or `<PROVIDER>_RECONCILE` says otherwise. */
const DEFAULT_DISCOVER_MAX_AGE_MS = 24 * 3_600_000;

/**
 * The order commands need Temporal only, not the ledger: the library reads a final outcome from the
 * order's last run (client/order-tracker.ts), so they run with the light install. `traced`: the
 * command starts or changes an order, so its span opens the order's trace (common/tracing.ts).
 */
async function withTracker<T>(config: Config, run: (tracker: OrderTracker) => Promise<T>, traced = false): Promise<T> {
  const tracing = traced ? installTracing(tracingSettings(config.environment), 'order-tracker-cli') : undefined;
  const client = await connectClient(config).catch(async (error) => {
    await tracing?.shutdown();
    throw error;
  });
  try {
    return await run(trackerFromConfig(config, client));
  } finally {
    await client.connection.close();
    await tracing?.shutdown();
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

/** The commands that talk to Temporal about orders (and `redeliver`, which talks to the receiver). */
export async function runOrderCommand(command: string, positionals: string[], values: Values, output: Output): Promise<number> {
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
          output.write(values.json ? JSON.stringify(response) : formatRecorded(response));
          return exitCodeForOutcome(response.outcome);
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
      }, true);
    }
    case 'status': {
      const { provider, orderId } = orderArguments(command, positionals);
      if (values.history) return showHistory(config, provider, orderId, values, output);
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
      }, true);
    }
    case 'list': {
      expectArguments(command, positionals, 0);
      const filter = {
        provider: values.provider === undefined ? undefined : parseProvider(values.provider),
        status: values.status,
        outcome: parseOutcome(values.outcome),
        limit: values.limit === undefined ? undefined : wholeNumber('--limit', values.limit, 1, 1_000),
        pageToken: values['page-token'],
      };
      return withTracker(config, async (tracker) => {
        const page = await tracker.listPage(filter);
        output.write(values.json ? JSON.stringify(page) : formatList(page.orders, page.nextPageToken));
        return ExitCode.ok;
      });
    }
    case 'discover': {
      const [name] = expectArguments(command, positionals, 1) as [string];
      const provider = parseProvider(name);
      const maxAgeText = values['max-age'];
      const maxAgeMs = maxAgeText === undefined ? (config.reconcileMaxAgeMs[provider] ?? DEFAULT_DISCOVER_MAX_AGE_MS) : parseDuration(maxAgeText);
      if (maxAgeMs === undefined) throw new InvalidInputError(`invalid --max-age ${JSON.stringify(maxAgeText)}: expected a duration such as 90s, 30m or 24h`);
      const options = { limit: parseLimit(values.limit) ?? 20, sales: values.sales === true, maxAgeMs };
      // The provider's list goes through its client, and --track reads the ledger: worker-side packages.
      const { discoverOrders } = loadWorkerSide('discover', () => require('./discover') as typeof import('./discover'));
      const orders = values.track
        ? await withTracker(config, (tracker) => discoverOrders(config, provider, options, tracker), true)
        : await discoverOrders(config, provider, options);
      output.write(values.json ? JSON.stringify(orders) : formatDiscovered(orders));
      return ExitCode.ok;
    }
    case 'redeliver': {
      const { provider, orderId } = orderArguments(command, positionals);
      const { FULFILLMENT_WEBHOOK_URL: url, FULFILLMENT_WEBHOOK_SECRET: secrets } = config.environment;
      if (!url || !secrets) throw new ConfigError('redeliver needs FULFILLMENT_WEBHOOK_URL and FULFILLMENT_WEBHOOK_SECRET');
      const { openLedger, createCallbackSender, redeliverCallback } = loadWorkerSide('redeliver', () => ({
        ...(require('../storage/open-database') as typeof import('../storage/open-database')),
        ...(require('../callbacks/callback-sender') as typeof import('../callbacks/callback-sender')),
        ...(require('./redeliver') as typeof import('./redeliver')),
      }));
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

/** `status --history`: the audit trail, from the ledger alone (no Temporal server needed). */
async function showHistory(config: Config, provider: ProviderName, orderId: string, values: Values, output: Output): Promise<number> {
  if (values.follow) throw new InvalidInputError('--history and --follow do not go together: the history is what was kept, not a live view');
  const limit = parseHistoryLimit(values.limit, '--limit');
  // The audit trail is in the ledger: a worker-side read, like redeliver's.
  const { openLedger } = loadWorkerSide('status --history', () => require('../storage/open-database') as typeof import('../storage/open-database'));
  const ledger = await openLedger(config.databaseUrl);
  try {
    const history = await readOrderHistory(ledger, provider, orderId, limit);
    output.write(values.json ? JSON.stringify(history) : formatOrderHistory(history));
    return ExitCode.ok;
  } finally {
    await ledger.close();
  }
}

function formatDiscovered(orders: Discovered[]): string {
  if (orders.length === 0) return 'no orders';
  return orders
    .map((order) => [order.id, order.status, order.createdAt ?? '—', order.tracking ? `tracking: ${order.tracking}` : ''].join('  ').trim())
    .join('\n');
}
