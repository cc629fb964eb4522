/**
 * Reconciliation (opt-in per provider, `<PROVIDER>_RECONCILE=<max age>`): a list sweep also shows
 * orders that no group knows. Each one that is recent enough, that the ledger has never held (so no
 * final outcome is ever reopened, nor a non-final one someone chose), and whose workflow does not run
 * is started, once: the group that owns its shard starts it (so two groups never race for it), with
 * a start that fails when the workflow runs (idempotent by workflow id, nothing signalled). The order
 * then joins its group with its first poll like any other.
 */
import type { ProviderName } from '../../domain/types';
import { shardOf } from '../../domain/ids';
import type { ListedOrder } from '../../providers/provider';

/** Ids already handled by this process (started, running or recorded): a few MB at most. */
const REMEMBERED_IDS = 100_000;

export interface ReconcileOptions {
  /** Providers with reconciliation on, and how old a listed order may be to be started. */
  maxAgeMs: Partial<Record<ProviderName, number>>;
  shards: Partial<Record<ProviderName, number>>;
  /** Whether the ledger holds any outcome of the order. */
  recorded: (provider: ProviderName, orderId: string) => Promise<boolean>;
  /** Starts the order's workflow unless it runs. */
  start: (provider: ProviderName, orderId: string) => Promise<'started' | 'running'>;
  log: { info(message: string, fields?: Record<string, unknown>): void; warn(message: string, fields?: Record<string, unknown>): void };
  now?: () => number;
}

export function createReconciler(options: ReconcileOptions): (provider: ProviderName, shard: number, orders: readonly ListedOrder[]) => Promise<void> {
  const handled = new Set<string>();
  const now = options.now ?? Date.now;
  return async (provider, shard, orders) => {
    const maxAgeMs = options.maxAgeMs[provider];
    if (maxAgeMs === undefined) return;
    const shards = options.shards[provider] ?? 1;
    for (const listed of orders) {
      const key = `${provider}:${listed.orderId}`;
      if (handled.has(key) || shardOf(listed.orderId, shards) !== shard) continue;
      if (listed.createdAt === null || now() - listed.createdAt > maxAgeMs) continue;
      try {
        if (!(await options.recorded(provider, listed.orderId))) {
          const started = await options.start(provider, listed.orderId);
          if (started === 'started') options.log.info('reconciliation started tracking an untracked order', { provider, orderId: listed.orderId, status: listed.observation.status });
        }
        remember(handled, key);
      } catch (error) {
        // Tried again at the next sweep that lists it.
        options.log.warn('reconciliation could not start an order', { provider, orderId: listed.orderId, error: String(error) });
      }
    }
  };
}

function remember(handled: Set<string>, key: string): void {
  if (handled.size >= REMEMBERED_IDS) handled.delete(handled.values().next().value as string);
  handled.add(key);
}
