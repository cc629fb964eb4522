import type { TrackingState } from './state';
import type { ProviderName } from '../domain/types';

/** "4m 05s", "1h 02m": short enough for the Temporal UI's details panel. */
export function formatDuration(milliseconds: number): string {
  const totalSeconds = Math.max(0, Math.round(milliseconds / 1000));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
  return `${seconds}s`;
}

/** A markdown hard line break. */
export const LINE_BREAK = '  \n';

/** "07:47:12 UTC" on the day of `now` (UTC), else "2026-12-01 07:47 UTC". */
export function formatTime(at: number, now: number): string {
  const iso = new Date(at).toISOString();
  const sameDay = iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10);
  return sameDay ? `${iso.slice(11, 19)} UTC` : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function countdown(label: string, at: number, now: number): string {
  const when = formatTime(at, now);
  return at > now ? `${label}: in ${formatDuration(at - now)} (${when})` : `${label}: passed (${when})`;
}

/**
 * The markdown the Temporal UI shows as the order's current details: the status, the provider's
 * progress signals, and the countdowns a person watching the order wants. The UI's panel shows
 * about four lines before it scrolls, so the lines come by importance and pair up related facts.
 */
export function renderCurrentDetails(state: TrackingState, now: number): string {
  const lines: string[] = [];
  const current = state.current;
  if (current === null) {
    lines.push('**Status:** not polled yet');
  } else {
    const unrecognised = current.recognised ? '' : ' — unrecognised status, still tracked';
    lines.push(`**Status:** ${current.status} (${current.phase.replace('_', ' ')})${unrecognised}`);
  }
  if (state.attention !== null) lines.push(`**Attention:** ${state.attention}`);
  if (state.outcome !== null) {
    lines.push(`**Outcome:** ${state.outcome}`);
  } else {
    const cadence = typeof state.waitCadenceMs === 'number' ? `, then every ${formatDuration(state.waitCadenceMs)}` : '';
    const next = state.nextPollAt === null ? [] : [`${countdown('Next poll', state.nextPollAt, now)}${cadence}`];
    lines.push([...next, countdown('Max wait ends', state.deadline, now)].join(' · '));
  }
  const progress: string[] = [];
  if (current !== null) {
    // Providers name their expiry differently: `expiresAt` where we derive it, Magma's phase `timeout`.
    const expiry = current.details['expiresAt'] ?? current.details['timeout'];
    if (typeof expiry === 'string' && Number.isFinite(Date.parse(expiry))) progress.push(countdown('Provider expiry', Date.parse(expiry), now));
    const confirmations = current.details['confirmations'];
    if (confirmations !== undefined && confirmations !== null) progress.push(`Confirmations: ${confirmations}`);
  }
  if (progress.length > 0) lines.push(progress.join(' · '));
  lines.push(`Polls: ${state.polls} · pushes: ${state.pushes}`);
  // Markdown line breaks, not paragraphs: more lines fit the panel.
  return lines.join(LINE_BREAK);
}

/**
 * What a timer of the order waits for, as the Temporal UI lists it beside the timer: the next poll
 * and the change it looks for, a slow re-check and why, or the end of the max wait. Set when the
 * timer starts (`wakeAt` is when it fires); a push or a cancel may end the wait sooner.
 */
export function timerSummary(provider: ProviderName, state: TrackingState, wakeAt: number, now: number): string {
  const wait = formatDuration(wakeAt - now);
  if (wakeAt >= state.deadline) return `max wait ends in ${wait}: then timed_out unless ${provider} reports a final status`;
  if (state.attention !== null) return `re-check of ${provider} in ${wait}: ${state.attention}`;
  const status = state.current?.status;
  return status === undefined ? `next ${provider} poll in ${wait}` : `next ${provider} poll in ${wait}: is the order still ${status}?`;
}

/** The summary of the wait that keeps the order's requests `gapMs` apart (after a push woke it early). */
export function floorSummary(provider: ProviderName, gapMs: number): string {
  return `per-order request floor: ${formatDuration(gapMs)} between ${provider} requests`;
}
