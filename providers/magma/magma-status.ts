import { type StatusClass, TERMINAL_RANK } from '../status-class';

/** The seed's closed terminal sets: any other status is in flight, even one the seed never lists. */
export const MAGMA_SUCCESS_STATUSES: readonly string[] = ['VALID_CHANNEL_OPENING', 'CHANNEL_MONITORING_FINISHED'];
export const MAGMA_FAILURE_STATUSES: readonly string[] = [
  'SELLER_REJECTED',
  'SELLER_FAILED_TO_REACT',
  'BUYER_REJECTED',
  'BUYER_FAILED_TO_PAY',
  'SELLER_FAILED_TO_OPEN_CHANNEL',
  'SELLER_FAILED_TO_SEND_SWAP',
  'INVALID_CHANNEL_OPENING',
  'ADMIN_CLOSED',
];

/** The in-flight statuses in lifecycle order; the position is the rank. */
export const MAGMA_IN_FLIGHT_STATUSES: readonly string[] = [
  'WAITING_FOR_SELLER_APPROVAL',
  'WAITING_FOR_BUYER_PAYMENT',
  'WAITING_FOR_CHANNEL_OPEN',
  'SELLER_SENT_TRANSACTION',
  'WAITING_FOR_ON_CHAIN_CONFIRMATION',
  'ON_CHAIN_CONFIRMATION',
  'SELLER_OPENED_CHANNEL',
];

/** Seed cadence: seconds-long phases are polled every 7.5 s, block-bound phases every 45 s, the rest 10 s. */
export const MAGMA_FAST_POLL_MS = 7_500;
export const MAGMA_SLOW_POLL_MS = 45_000;
export const MAGMA_DEFAULT_POLL_MS = 10_000;
const FAST_PHASES = new Set(['WAITING_FOR_SELLER_APPROVAL', 'WAITING_FOR_BUYER_PAYMENT', 'WAITING_FOR_CHANNEL_OPEN']);
const SLOW_PHASES = new Set([
  'SELLER_SENT_TRANSACTION',
  'WAITING_FOR_ON_CHAIN_CONFIRMATION',
  'ON_CHAIN_CONFIRMATION',
  'SELLER_OPENED_CHANNEL',
]);

export interface MagmaStatusInfo extends StatusClass {
  cadenceMs: number;
}

export function classifyMagmaStatus(status: string): MagmaStatusInfo {
  if (MAGMA_SUCCESS_STATUSES.includes(status)) {
    return { phase: 'succeeded', recognised: true, rank: TERMINAL_RANK, cadenceMs: MAGMA_DEFAULT_POLL_MS };
  }
  if (MAGMA_FAILURE_STATUSES.includes(status)) {
    return { phase: 'failed', recognised: true, rank: TERMINAL_RANK, cadenceMs: MAGMA_DEFAULT_POLL_MS };
  }
  const position = MAGMA_IN_FLIGHT_STATUSES.indexOf(status);
  const cadenceMs = FAST_PHASES.has(status)
    ? MAGMA_FAST_POLL_MS
    : SLOW_PHASES.has(status)
      ? MAGMA_SLOW_POLL_MS
      : MAGMA_DEFAULT_POLL_MS;
  return { phase: 'in_flight', recognised: position >= 0, rank: position + 1, cadenceMs };
}

/** Poll again a second after a phase's expiry (`timeout`) when that comes before the usual cadence. */
const AFTER_EXPIRY_MS = 1_000;

/** Pure scheduling: the next wait for a status, placed at the phase's expiry when that is sooner. */
export function nextMagmaWait(status: string, timeout: string | null | undefined, now: number): number {
  const { cadenceMs } = classifyMagmaStatus(status);
  const expiry = timeout ? Date.parse(timeout) : Number.NaN;
  if (!Number.isFinite(expiry) || expiry <= now) return cadenceMs;
  return Math.min(cadenceMs, expiry - now + AFTER_EXPIRY_MS);
}
