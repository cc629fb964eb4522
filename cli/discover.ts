import { listMagmaOrders, type MagmaListedOrder, type MagmaSide } from '../providers/magma/magma-list';
import { ConfigError, type Config } from '../common/config';
import type { OrderTracker, TrackResponse } from '../client/order-tracker';

export interface Discovered extends MagmaListedOrder {
  /** Set when `--track` started (or found) tracking for the order. */
  tracking?: TrackResponse['kind'];
}

/**
 * The seed's "Listing recent orders": Magma's purchases (or sales) list, newest first; with a
 * tracker, every order still in flight is tracked (idempotently: running ones are left as they are).
 */
export async function discoverMagmaOrders(
  config: Config,
  side: MagmaSide,
  limit: number,
  tracker?: OrderTracker,
): Promise<Discovered[]> {
  const magma = config.providers.magma;
  if (magma === undefined) throw new ConfigError('discover needs MAGMA_URL and MAGMA_API_KEY');
  const orders: Discovered[] = await listMagmaOrders(magma, side, { limit });
  if (tracker === undefined) return orders;
  for (const order of orders) {
    if (order.inFlight) order.tracking = (await tracker.track('magma', order.id)).kind;
  }
  return orders;
}
