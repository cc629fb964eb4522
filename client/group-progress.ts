/**
 * An order its poll group polls hears only of changes: its progress says when the group last told it
 * something and at what cadence the group goes on. Unchanged polls since then are the group's own;
 * this counts those the cadence implies (the group keeps it, a busy provider budget may make it later)
 * so `status` and `--follow` still show polls so far and the next poll's time.
 */
import type { PendingPoll, Progress } from '../domain/types';

export function withGroupPolls(progress: Progress, now: number): Progress {
  if (progress.pollGroup == null || progress.outcome !== null || progress.lastPolledAt === null || progress.nextPollAt === null) return progress;
  const last = Date.parse(progress.lastPolledAt);
  const next = Date.parse(progress.nextPollAt);
  const cadence = next - last;
  if (!(cadence > 0) || now < next) return { ...progress, pendingPoll: groupPoll(progress.pollGroup, 0, progress.lastPolledAt, progress.nextPollAt, cadence) };
  const looks = 1 + Math.floor((now - next) / cadence);
  const lastLook = new Date(last + looks * cadence).toISOString();
  const nextLook = new Date(last + (looks + 1) * cadence).toISOString();
  return {
    ...progress,
    polls: progress.polls + looks,
    lastPolledAt: lastLook,
    nextPollAt: nextLook,
    pendingPoll: groupPoll(progress.pollGroup, looks, lastLook, nextLook, cadence),
  };
}

function groupPoll(group: string, requests: number, lastRequestAt: string, nextAttemptAt: string, cadenceMs: number): PendingPoll {
  return {
    attempt: 1,
    requests,
    lastRequestAt,
    nextAttemptAt,
    lastResult: `polled by ${group} every ${Math.round(cadenceMs / 1000)} s; the order hears of changes only`,
    details: null,
    // What its group found wrong reaches the order as a report: the progress's own attention.
    attention: null,
  };
}
