import type { TrackingState } from './state';

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

function countdown(label: string, at: number, now: number): string {
  const when = new Date(at).toISOString();
  return at > now ? `${label}: in ${formatDuration(at - now)} (${when})` : `${label}: passed (${when})`;
}

/**
 * The markdown the Temporal UI shows as the order's current details: the status, the provider's
 * progress signals, and the countdowns a person watching the order wants.
 */
export function renderCurrentDetails(state: TrackingState, now: number): string {
  const lines: string[] = [];
  const current = state.current;
  if (current === null) {
    lines.push('**Status:** not polled yet');
  } else {
    const unrecognised = current.recognised ? '' : ' — unrecognised status, still tracked';
    lines.push(`**Status:** ${current.status} (${current.phase.replace('_', ' ')})${unrecognised}`);
    const confirmations = current.details['confirmations'];
    if (confirmations !== undefined && confirmations !== null) lines.push(`Confirmations: ${confirmations}`);
    // Providers name their expiry differently: `expiresAt` where we derive it, Magma's phase `timeout`.
    const expiry = current.details['expiresAt'] ?? current.details['timeout'];
    if (typeof expiry === 'string' && Number.isFinite(Date.parse(expiry))) {
      lines.push(countdown('Provider expiry', Date.parse(expiry), now));
    }
  }
  if (state.attention !== null) lines.push(`**Attention:** ${state.attention}`);
  if (state.outcome !== null) {
    lines.push(`**Outcome:** ${state.outcome}`);
  } else {
    lines.push(countdown('Max wait ends', state.deadline, now));
    if (state.nextPollAt !== null) lines.push(countdown('Next poll', state.nextPollAt, now));
  }
  lines.push(`Polls: ${state.polls} · pushes: ${state.pushes}`);
  return lines.join('\n\n');
}
