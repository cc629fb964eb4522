/** The seeds' own waits between polls, unscaled (seed 000's phase table; 5 s in seeds 001/002). */
const MAGMA_FAST = new Set(['WAITING_FOR_SELLER_APPROVAL', 'WAITING_FOR_BUYER_PAYMENT', 'WAITING_FOR_CHANNEL_OPEN']);
const MAGMA_SLOW = new Set(['SELLER_SENT_TRANSACTION', 'WAITING_FOR_ON_CHAIN_CONFIRMATION', 'ON_CHAIN_CONFIRMATION', 'SELLER_OPENED_CHANNEL']);
/** MiracleCash and OZZOBiT: `pollInterval = 5000`. Houdini's seed only pushes; its analogue polls the same 5 s. */
export const SEED_FIXED_INTERVAL_MS = 5_000;

export function seedIntervalMs(provider: string, status: string | undefined): number {
  if (provider !== 'magma') return SEED_FIXED_INTERVAL_MS;
  if (status !== undefined && MAGMA_FAST.has(status)) return 7_500;
  if (status !== undefined && MAGMA_SLOW.has(status)) return 45_000;
  return 10_000;
}
