import { type StatusClass, TERMINAL_RANK, classifyByTable } from '../status-class';

/**
 * MiracleCash payment prompt statuses (seed 001). Its status table lost the names in the copy we
 * have; the `PaymentStatus` type and the transition diagram give them, in the table's order:
 * pending (not terminal), then successful, unsuccessful, expired, cancelled (all terminal).
 */
export const MIRACLECASH_STATUSES = ['pending', 'successful', 'unsuccessful', 'expired', 'cancelled'] as const;
export type MiracleCashStatus = (typeof MIRACLECASH_STATUSES)[number];

/** How the next poll is placed: by the payment's age while it is open; not at all once final. */
export type MiracleCashCadence = 'payment_age' | 'final';

export interface MiracleCashStatusInfo extends StatusClass {
  cadence: MiracleCashCadence;
}

export const MIRACLECASH_STATUS_TABLE: Readonly<Record<MiracleCashStatus, MiracleCashStatusInfo>> = {
  pending: { phase: 'in_flight', recognised: true, rank: 1, cadence: 'payment_age' },
  successful: { phase: 'succeeded', recognised: true, rank: TERMINAL_RANK, cadence: 'final' },
  unsuccessful: { phase: 'failed', recognised: true, rank: TERMINAL_RANK, cadence: 'final' },
  expired: { phase: 'failed', recognised: true, rank: TERMINAL_RANK, cadence: 'final' },
  cancelled: { phase: 'failed', recognised: true, rank: TERMINAL_RANK, cadence: 'final' },
};

/** A status the seed does not list stays in flight (the seed's loop treats only non-`pending` as final, but guessing a verdict is worse than waiting). */
const UNKNOWN_STATUS: MiracleCashStatusInfo = { phase: 'in_flight', recognised: false, rank: 0, cadence: 'payment_age' };

export function classifyMiracleCashStatus(status: string): MiracleCashStatusInfo {
  return classifyByTable(MIRACLECASH_STATUS_TABLE, status, UNKNOWN_STATUS);
}
