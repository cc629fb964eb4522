import type { Phase } from '../../domain/types';
import { type StatusClass, TERMINAL_RANK } from '../status-class';

/**
 * Houdini's numeric order status codes (seed 003, "Order Status Codes"), what each means for
 * tracking, and how often to ask again. Pure: no clock, no I/O.
 *
 * Cadence depends on whether pushes report the changes (the worker has HOUDINI_WS_URL):
 * - Without pushes a poll is the only way to see a change, so every in-flight status is polled at
 *   the per-order floor, 5 s: the seed loop's analogue, the same detection lag for the same requests.
 * - With pushes the WebSocket bridge is the fast path and polls are the safety net and the
 *   confirmation of a pushed final status, so the cadence follows the stage of the swap:
 *   - `deposit` (−2 INITIALIZING, −1 NEW, 0 WAITING): a person still has to send the funds, which
 *     takes anything from seconds to the whole 30-minute deposit window. Every 30 s.
 *   - `confirming` (1): the deposit is waiting for on-chain confirmations; on most chains a block
 *     lands within a minute or two, so every 20 s keeps detection well under a block.
 *   - `exchanging` (2 EXCHANGING, 3 ANONYMIZING): the swap and the privacy routing run for minutes
 *     (the order's own `eta` is in minutes, tens of minutes for private swaps); every 30 s.
 *   (Once a verified push reached the order and the channel is up, polls slow further to
 *   PUSH_FALLBACK_POLL: activities/push-fallback.ts.)
 * Either way a deposit-stage poll is placed one second after the order's `expires` when that comes
 * sooner, so EXPIRED is seen when it happens.
 * Unknown codes are polled at the deposit cadence: we cannot know what they wait for.
 */
export type HoudiniStage = 'deposit' | 'confirming' | 'exchanging' | 'final';

export interface HoudiniStatusInfo extends StatusClass {
  code: number;
  /** The seed's label; the observation's status. */
  label: string;
  stage: HoudiniStage;
  cadenceMs: number;
  /** Whether the order's deposit expiry means something at this status (shown as a countdown). */
  showsExpiry: boolean;
}

/** Every in-flight status, when no pushes report the changes: the per-order floor. */
export const HOUDINI_POLL_ONLY_MS = 5_000;
/** With pushes: the stage's cadence (`cadenceMs`). */
export const HOUDINI_DEPOSIT_POLL_MS = 30_000;
export const HOUDINI_CONFIRMING_POLL_MS = 20_000;
export const HOUDINI_EXCHANGING_POLL_MS = 30_000;
export const HOUDINI_UNKNOWN_POLL_MS = HOUDINI_DEPOSIT_POLL_MS;
/** Still waiting for a deposit after `expires`: EXPIRED is imminent, look again soon. */
export const HOUDINI_OVERDUE_POLL_MS = 10_000;
/** Poll this long after the expiry, so the provider has had a moment to flip the status. */
export const HOUDINI_AFTER_EXPIRY_MS = 1_000;

/** Below every known status: an unknown code never replaces a known one through a push. */
const UNKNOWN_RANK = 0;

const CADENCE: Record<HoudiniStage, number> = {
  deposit: HOUDINI_DEPOSIT_POLL_MS,
  confirming: HOUDINI_CONFIRMING_POLL_MS,
  exchanging: HOUDINI_EXCHANGING_POLL_MS,
  final: HOUDINI_DEPOSIT_POLL_MS, // never used: the order is over
};

function inFlight(code: number, label: string, stage: Exclude<HoudiniStage, 'final'>, rank: number): HoudiniStatusInfo {
  return { code, label, phase: 'in_flight', stage, recognised: true, rank, cadenceMs: CADENCE[stage], showsExpiry: stage === 'deposit' };
}

function final(code: number, label: string, phase: Exclude<Phase, 'in_flight'>, showsExpiry = false, attention?: string): HoudiniStatusInfo {
  return { code, label, phase, stage: 'final', recognised: true, rank: TERMINAL_RANK, cadenceMs: CADENCE.final, showsExpiry, ...(attention !== undefined && { attention }) };
}

/** Seed: "Deleted (order older than 48 hours)": the order is gone, and with it what became of it. */
export const HOUDINI_DELETED_ATTENTION = 'deleted by provider, outcome unknown';

/** Every code the seed lists, in lifecycle order. */
export const HOUDINI_STATUSES: readonly HoudiniStatusInfo[] = [
  inFlight(-2, 'INITIALIZING', 'deposit', 1),
  inFlight(-1, 'NEW', 'deposit', 2),
  inFlight(0, 'WAITING', 'deposit', 3),
  inFlight(1, 'CONFIRMING', 'confirming', 4),
  inFlight(2, 'EXCHANGING', 'exchanging', 5),
  inFlight(3, 'ANONYMIZING', 'exchanging', 6),
  final(4, 'FINISHED', 'succeeded'),
  // The deposit window ran out: when it did is worth keeping on the result.
  final(5, 'EXPIRED', 'failed', true),
  final(6, 'FAILED', 'failed'),
  final(7, 'REFUNDED', 'failed'),
  // Terminal but no verdict: the order ends timed_out (it may be tracked again), never failed.
  final(8, 'DELETED', 'unknown', false, HOUDINI_DELETED_ATTENTION),
];

const BY_CODE = new Map(HOUDINI_STATUSES.map((info) => [info.code, info]));

/** A code the seed does not list is kept in flight, shown as `UNKNOWN_<code>`. */
export function classifyHoudiniStatus(code: number): HoudiniStatusInfo {
  return (
    BY_CODE.get(code) ?? {
      code,
      label: `UNKNOWN_${code}`,
      phase: 'in_flight',
      stage: 'deposit',
      recognised: false,
      rank: UNKNOWN_RANK,
      cadenceMs: HOUDINI_UNKNOWN_POLL_MS,
      showsExpiry: false,
    }
  );
}

/**
 * Pure scheduling. With pushes (`pushes`), the stage's cadence; without, the floor. While waiting
 * for the deposit the order's expiry places the next poll (one second after it) when that comes
 * sooner, and an order still waiting past its expiry is looked at again soon.
 */
export function nextHoudiniWait(code: number, expires: string | null | undefined, now: number, pushes: boolean): number {
  const info = classifyHoudiniStatus(code);
  const cadenceMs = pushes ? info.cadenceMs : HOUDINI_POLL_ONLY_MS;
  if (!info.recognised || info.stage !== 'deposit') return cadenceMs;
  const expiry = expires ? Date.parse(expires) : Number.NaN;
  if (!Number.isFinite(expiry)) return cadenceMs;
  if (expiry <= now) return Math.min(cadenceMs, HOUDINI_OVERDUE_POLL_MS);
  return Math.min(cadenceMs, expiry - now + HOUDINI_AFTER_EXPIRY_MS);
}
