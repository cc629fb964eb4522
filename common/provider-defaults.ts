import type { ProviderName } from '../workflows/types';

const HOUR_MS = 3_600_000;

/**
 * How long an order is followed before it ends `timed_out`, unless `--max-wait` says otherwise.
 * Each covers the provider's own window, so a timeout means "still open", never a guess at failure.
 */
export const DEFAULT_MAX_WAIT_MS: Record<ProviderName, number> = {
  // Seed: the reference loop gives an order 2 h to open its channel.
  magma: 2 * HOUR_MS,
  // Seed: a prompt expires after 24 h without payment; an hour more lets us see `expired`.
  miraclecash: 25 * HOUR_MS,
  // Seed: card on-ramp orders settle in minutes; 2 h leaves room for PENDING_DELIVERY.
  ozzobit: 2 * HOUR_MS,
  // Seed: 30 min deposit window, then confirmation, exchange and privacy routing.
  houdini: 3 * HOUR_MS,
};
