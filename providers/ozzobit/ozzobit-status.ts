import { type StatusClass, TERMINAL_RANK, classifyByTable } from '../status-class';

/** OZZOBiT order statuses (seed 002's table), in lifecycle order. */
export const OZZOBIT_STATUSES = ['PROCESSING', 'PENDING_DELIVERY', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export type OzzobitStatus = (typeof OZZOBIT_STATUSES)[number];

/** Seed: "Wait 5 seconds before next poll" in every in-flight status; also the per-order floor. */
export const OZZOBIT_POLL_MS = 5_000;

export interface OzzobitStatusInfo extends StatusClass {
  cadenceMs: number;
}

export const OZZOBIT_STATUS_TABLE: Readonly<Record<OzzobitStatus, OzzobitStatusInfo>> = {
  // "Payment being processed — continue polling"
  PROCESSING: { phase: 'in_flight', recognised: true, rank: 1, cadenceMs: OZZOBIT_POLL_MS },
  // "Crypto being sent to wallet — continue polling"
  PENDING_DELIVERY: { phase: 'in_flight', recognised: true, rank: 2, cadenceMs: OZZOBIT_POLL_MS },
  COMPLETED: { phase: 'succeeded', recognised: true, rank: TERMINAL_RANK, cadenceMs: OZZOBIT_POLL_MS },
  FAILED: { phase: 'failed', recognised: true, rank: TERMINAL_RANK, cadenceMs: OZZOBIT_POLL_MS },
  CANCELLED: { phase: 'failed', recognised: true, rank: TERMINAL_RANK, cadenceMs: OZZOBIT_POLL_MS },
};

/** A status the seed does not list stays in flight, below every known one (it cannot undo them). */
const UNKNOWN_STATUS: OzzobitStatusInfo = { phase: 'in_flight', recognised: false, rank: 0, cadenceMs: OZZOBIT_POLL_MS };

export function classifyOzzobitStatus(status: string): OzzobitStatusInfo {
  return classifyByTable(OZZOBIT_STATUS_TABLE, status, UNKNOWN_STATUS);
}
