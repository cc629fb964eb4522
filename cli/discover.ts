/**
 * `order-tracker discover <magma|houdini>`: the provider's list of recent orders (Magma's purchases,
 * or sales with `--sales`; Houdini's `GET /v2/orders`), newest first. With `--track`, what
 * reconciliation does by hand: every listed order up to `--max-age` old that the ledger has never
 * held and whose workflow does not run is started (idempotent by workflow id; a final outcome is
 * never reopened, a non-final one someone recorded is left to them).
 */
import type { OrderTracker } from '../client/order-tracker';
import { ConfigError, type Config } from '../common/config';
import { InvalidInputError } from '../common/order-input';
import type { ProviderName } from '../domain/types';
import type { Ledger } from '../storage/ledger/ledger';
import { openLedger } from '../storage/open-database';
import type { ListCursor } from '../providers/provider';
import { createProviders, providerDescriptor } from '../providers/registry';

export interface Discovered {
  id: string;
  status: string;
  inFlight: boolean;
  createdAt: string | null;
  /** With `--track`: what happened to it. */
  tracking?: 'started' | 'running' | 'recorded' | 'too old';
}

export interface DiscoverOptions {
  limit: number;
  /** Magma: the seller's side. */
  sales?: boolean;
  /** With `track`: how old a listed order may be to be started. */
  maxAgeMs: number;
}

export async function discoverOrders(config: Config, provider: ProviderName, options: DiscoverOptions, tracker?: OrderTracker): Promise<Discovered[]> {
  if (tracker === undefined) return listed(config, provider, options);
  // --track asks the ledger whether an order was ever recorded.
  const ledger = await openLedger(config.databaseUrl);
  try {
    return await listed(config, provider, options, { tracker, ledger });
  } finally {
    await ledger.close();
  }
}

async function listed(
  config: Config,
  provider: ProviderName,
  options: DiscoverOptions,
  track?: { tracker: OrderTracker; ledger: Ledger },
): Promise<Discovered[]> {
  const descriptor = providerDescriptor(provider);
  if (descriptor.lists !== true) throw new InvalidInputError(`discover supports the providers with a list endpoint (magma, houdini), not ${provider}`);
  const adapter = createProviders(config.providers)[provider];
  if (adapter?.listPage === undefined) throw new ConfigError(`discover ${provider} needs ${descriptor.required.join(' and ')}`);
  const discovered: Discovered[] = [];
  let cursor: ListCursor | null = options.sales ? { side: 'sales', offset: 0 } : null;
  while (discovered.length < options.limit) {
    const page = await adapter.listPage(cursor);
    for (const listed of page.orders.slice(0, options.limit - discovered.length)) {
      const order: Discovered = {
        id: listed.orderId,
        status: listed.observation.status,
        inFlight: listed.observation.phase === 'in_flight',
        createdAt: listed.createdAt === null ? null : new Date(listed.createdAt).toISOString(),
      };
      if (track !== undefined) order.tracking = await reconcile(provider, order, listed.createdAt, options.maxAgeMs, track);
      discovered.push(order);
    }
    cursor = page.next;
    // Magma's purchases come before its sales: one side at a time.
    if (cursor === null || (provider === 'magma' && cursor.side !== (options.sales ? 'sales' : 'purchases'))) break;
  }
  return discovered;
}

async function reconcile(
  provider: ProviderName,
  order: Discovered,
  createdAt: number | null,
  maxAgeMs: number,
  { tracker, ledger }: { tracker: OrderTracker; ledger: Ledger },
): Promise<Discovered['tracking']> {
  if (createdAt === null || Date.now() - createdAt > maxAgeMs) return 'too old';
  if ((await ledger.find(provider, order.id)) !== undefined) return 'recorded';
  return tracker.startUntracked(provider, order.id);
}
