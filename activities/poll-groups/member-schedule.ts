/**
 * A poll group's decisions about one order, pure: what counts as news for the order, when to ask
 * next, how a provider's failure reads. The group (poll-group.ts) does the asking and reporting.
 */
import type { MemberRow } from '../../storage/poll-group-members/member-store';
import type { GroupReport, Observation } from '../../domain/types';
import type { ProviderErrorKind } from '../../providers/provider-error';

/** An outage backs off to a request a minute at most, as an order's own poll retries do. */
export const MAX_FAILURE_BACKOFF_MS = 60_000;
/**
 * A provider that does not know an order it answered before is asked again at the floor for these
 * first minutes (a provider's replica may lag), then at the slow attention re-check.
 */
export const NOT_FOUND_GRACE_MS = 5 * 60_000;

/** A member as its group keeps it in memory: its row, and when and how the group asks next. */
export interface Member extends MemberRow {
  nextDueAt: number;
  inFlight: boolean;
  failures: number;
  /** Looks at the order (requests, list pages) since its last report. */
  unreported: number;
  /** A change Temporal did not take yet. */
  pending: GroupReport | null;
  retryReportAt: number;
  /** Where the last full answer said to look again (a phase's expiry): a list page does not move it. */
  fullDueAt: number | null;
  /** The group's last look (a request or a list page) that showed what the order holds. */
  lastLookAt: number | null;
  /** A final status was reported: the order ends and removes its row; the group only re-checks it later. */
  reportedFinal: boolean;
}

/** What the group knows of an order, and when it asks next. */
export interface MemberView {
  status: string | null;
  rank: number | null;
  attention: string | null;
  minGapMs: number;
  recheckMs: number;
}

/** Whether an answer is news for the order: a final status, another status, or an attention that changed. */
export function isNews(member: MemberView, observation: Observation): boolean {
  if (observation.phase !== 'in_flight') return true;
  if (observation.status !== member.status) return true;
  return (observation.attention ?? null) !== member.attention;
}

/** When to ask again after an answer: the provider's suggested wait, never under the floor. */
export function nextAfterAnswer(now: number, member: MemberView, nextWaitMs: number): number {
  return now + Math.max(member.minGapMs, nextWaitMs);
}

export interface FailureReading {
  /** What the order shows while it lasts (null: nothing to show, a passing failure). */
  attention: string | null;
  /** When to ask again. */
  retryAt: number;
}

/**
 * A failed request, read as an order's own poll reads it (workflows/follow-changes.ts): refused
 * credentials, a rejected request and an unknown order are shown and re-checked slowly (an unknown
 * order at the floor during its grace); a 429 waits for its Retry-After; anything else backs off.
 */
export function readFailure(
  kind: ProviderErrorKind,
  member: MemberView & { failures: number; registeredMs: number },
  now: number,
  retryAfterMs?: number,
): FailureReading {
  switch (kind) {
    case 'credentials_refused':
      return { attention: 'credentials refused', retryAt: now + member.recheckMs };
    case 'rejected':
      return { attention: 'provider rejected the request', retryAt: now + member.recheckMs };
    case 'not_found': {
      const fresh = now - member.registeredMs < NOT_FOUND_GRACE_MS;
      return { attention: fresh ? 'not known to the provider yet' : 'order not found at provider', retryAt: now + (fresh ? member.minGapMs : member.recheckMs) };
    }
    case 'rate_limited':
      return { attention: member.attention, retryAt: now + Math.max(member.minGapMs, retryAfterMs ?? member.minGapMs) };
    default: {
      const backoff = Math.min(MAX_FAILURE_BACKOFF_MS, member.minGapMs * 2 ** Math.min(10, member.failures));
      return { attention: member.attention, retryAt: now + Math.max(member.minGapMs, backoff) };
    }
  }
}

/**
 * How long the order's own watch lets its group go without looking at it before it polls on its own:
 * three of its cadences (a sweep or a pacing queue may be late), and never less than `minimumMs` (the
 * workflow's setting: a group's activity moves to another worker within its heartbeat timeout after a
 * crash, which must not send every order to its own polls).
 */
export function groupSilenceAllowedMs(member: Pick<MemberView, 'minGapMs' | 'recheckMs' | 'attention'> & { nextWaitMs: number | null }, minimumMs: number): number {
  const cadence = member.attention === null ? Math.max(member.minGapMs, member.nextWaitMs ?? 0) : member.recheckMs;
  return Math.max(3 * cadence, minimumMs);
}

/** A member as the table has it: its first look one cadence after the poll that registered it. */
export function newMember(row: MemberRow): Member {
  const cadence = row.attention === null ? Math.max(row.minGapMs, row.nextWaitMs ?? 0) : row.recheckMs;
  const lastLook = Math.max(row.lastRequestMs ?? 0, row.groupCheckedMs ?? 0, row.polledAt);
  return { ...row, nextDueAt: lastLook + cadence, inFlight: false, failures: 0, unreported: 0, pending: null, retryReportAt: 0, fullDueAt: null, lastLookAt: lastLook, reportedFinal: false };
}
