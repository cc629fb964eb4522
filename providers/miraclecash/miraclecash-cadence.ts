/**
 * When to ask MiracleCash again about an open payment prompt. Pure: status, creation time and the
 * clock reading in, milliseconds out.
 *
 * The seed polls every 5 s (`pollInterval = 5000`), and a prompt stays payable for 24 h
 * ("24-hour window passed without payment" → `expired`). With `age = now − createdAt`:
 *
 *   age < 5 min            → 5 s            (the seed's own cadence, while a customer is most likely paying)
 *   5 min ≤ age < 24 h     → min(age / 30, cap)
 *                            (detection lag ≤ 3.3 % of the payment's age: 10 s at 5 min, 30 s from 15 min)
 *   but never past the expiry: the poll is placed 1 s after `createdAt + 24 h`, so `expired` is seen promptly
 *   age ≥ 24 h (still pending, the provider's expiry is late)
 *                          → min(max(time since expiry, 5 s), cap)  (doubling: 5, 6, 12, 24 s …)
 *
 * The cap is MIRACLECASH_MAX_POLL, by default the seed's 5 s: every payment is seen within one
 * 5 s poll of its change, whatever its age (a customer who pays 20 minutes after checkout waits
 * as little as one who pays at once), at 17,281 requests for a prompt left open its whole window.
 * A merchant with many open prompts trades detection of late payments for requests by raising it:
 * at 30 s (the seed's background job, "Re-queue job to check again in 30 seconds") an abandoned
 * prompt costs 2,945 requests, at 10 min 300 (60 in the first 5 minutes, 126 while the wait grows
 * to 10 min, 113 at 10 min, and the expiry poll) — counted by summing the waits in
 * test/unit/miraclecash-cadence.test.ts.
 * Without a readable `createdAt` the age is unknown: 30 s (the seed's background-job re-check), at most the cap.
 */
import { classifyMiracleCashStatus } from './miraclecash-status';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** The seed's poll interval, and the per-order floor of the whole system. */
export const MIRACLECASH_FAST_POLL_MS = 5_000;
/** The seed's `waitForPayment` gives up after 5 minutes: until then we poll as it does. */
export const MIRACLECASH_FAST_WINDOW_MS = 5 * MINUTE_MS;
/** After the fast window, wait this fraction of the payment's age. */
export const MIRACLECASH_AGE_DIVISOR = 30;
/** However old the payment, it is looked at this often at least by default: the seed's 5 s `pollInterval` (MIRACLECASH_MAX_POLL). */
export const MIRACLECASH_MAX_POLL_MS = 5_000;
/** Seed: an unpaid prompt expires when its 24-hour window has passed. */
export const MIRACLECASH_PAYMENT_WINDOW_MS = 24 * HOUR_MS;
/** The expiry poll lands this long after the expiry, so the provider has flipped the status. */
export const MIRACLECASH_AFTER_EXPIRY_MS = 1_000;
/** Seed's background-job pattern re-checks every 30 s; used when the age is unknown. */
export const MIRACLECASH_UNKNOWN_AGE_POLL_MS = 30_000;

/** Epoch ms of `createdAt`, or undefined when it is missing or unreadable. */
export function parseCreatedAt(createdAt: string | null | undefined): number | undefined {
  if (createdAt === null || createdAt === undefined) return undefined;
  const time = Date.parse(createdAt);
  return Number.isFinite(time) ? time : undefined;
}

/** When the prompt's 24-hour window ends (epoch ms), if its creation time is known. */
export function miracleCashExpiry(createdAt: string | null | undefined): number | undefined {
  const created = parseCreatedAt(createdAt);
  return created === undefined ? undefined : created + MIRACLECASH_PAYMENT_WINDOW_MS;
}

function clamp(value: number, minimum: number, maximum: number): number {
  return Math.min(maximum, Math.max(minimum, value));
}

/** The wait for an open prompt of this age, ignoring the expiry; `maxPollMs` caps it (MIRACLECASH_MAX_POLL). */
export function waitForAge(ageMs: number, maxPollMs = MIRACLECASH_MAX_POLL_MS): number {
  if (ageMs < MIRACLECASH_FAST_WINDOW_MS) return MIRACLECASH_FAST_POLL_MS;
  return clamp(Math.ceil(ageMs / MIRACLECASH_AGE_DIVISOR), MIRACLECASH_FAST_POLL_MS, maxPollMs);
}

export function nextMiracleCashWait(status: string, createdAt: string | null | undefined, now: number, maxPollMs = MIRACLECASH_MAX_POLL_MS): number {
  if (classifyMiracleCashStatus(status).cadence === 'final') return MIRACLECASH_FAST_POLL_MS;
  const created = parseCreatedAt(createdAt);
  if (created === undefined) return Math.min(MIRACLECASH_UNKNOWN_AGE_POLL_MS, maxPollMs);
  const expiresAt = created + MIRACLECASH_PAYMENT_WINDOW_MS;
  if (now >= expiresAt) return clamp(now - expiresAt, MIRACLECASH_FAST_POLL_MS, maxPollMs);
  return Math.min(waitForAge(now - created, maxPollMs), expiresAt - now + MIRACLECASH_AFTER_EXPIRY_MS);
}
