import { formatDuration } from '../workflows/current-details';
import type { Details, Progress, TrackOrderResult } from '../domain/types';
import type { JoinedOrder, ListedOrder, TrackResponse } from '../client/order-tracker';

/**
 * Provider text (statuses, details, attention) reaches a terminal: control characters (escape
 * sequences that move the cursor, clear the screen or retitle the window), and bidirectional
 * overrides that reorder what is shown, are replaced, so an answer cannot rewrite the view.
 * Line breaks between our own lines stay.
 */
const UNPRINTABLE = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, '\uFFFD');
}

/**
 * When the provider lets the order (or its current phase) expire, as ISO time; null when it says
 * nothing. Providers name it differently: `expiresAt` where we derive it, Magma's phase `timeout`.
 */
export function providerExpiry(details: Details): string | null {
  const expiry = details['expiresAt'] ?? details['timeout'];
  return typeof expiry === 'string' && Number.isFinite(Date.parse(expiry)) ? new Date(expiry).toISOString() : null;
}

function relative(iso: string | null, now: number): string {
  if (iso === null) return '—';
  const at = Date.parse(iso);
  const distance = formatDuration(Math.abs(at - now));
  return at >= now ? `${iso} (in ${distance})` : `${iso} (${distance} ago)`;
}

/** A person's view of one order's progress. */
export function formatProgress(progress: Progress, now: number): string {
  return printable(progressText(progress, now));
}

function progressText(progress: Progress, now: number): string {
  const lines = [
    `order      ${progress.provider}:${progress.orderId}${progress.reference ? ` (ref ${progress.reference})` : ''}`,
    `status     ${progress.status ?? 'not polled yet'}${progress.phase ? ` [${progress.phase}]` : ''}${progress.recognised ? '' : ' (unrecognised)'}`,
    `outcome    ${progress.outcome ?? 'in progress'}`,
  ];
  if (progress.attention) lines.push(`attention  ${progress.attention}`);
  lines.push(
    `polls      ${progress.polls} (pushes ${progress.pushes})`,
    `started    ${relative(progress.startedAt, now)}`,
    `last poll  ${relative(progress.lastPolledAt, now)}`,
  );
  if (progress.outcome === null) {
    lines.push(`next poll  ${relative(progress.nextPollAt, now)}`, `max wait   ${relative(progress.deadline, now)}`);
    if (progress.pendingPoll?.lastResult) lines.push(`waiting    ${progress.pendingPoll.lastResult}`);
    const expiry = providerExpiry(progress.details);
    if (expiry !== null) lines.push(`expires    ${relative(expiry, now)}`);
  } else {
    lines.push(`fulfilment recorded=${progress.fulfilment.recorded} callback=${progress.fulfilment.callback}`);
  }
  const details = detailsText(progress.details);
  if (details !== '') lines.push(`details    ${details}`);
  if (progress.transitions.length > 0) {
    lines.push('transitions');
    if (progress.transitionsDropped > 0) lines.push(`  (${progress.transitionsDropped} earlier transitions not kept)`);
    for (const transition of progress.transitions) lines.push(`  ${transition.at}  ${transition.status}  (${transition.source})`);
  }
  return lines.join('\n');
}

export function formatResult(workflowId: string, result: TrackOrderResult): string {
  return printable(`${workflowId} ended ${result.outcome}: ${result.status ?? 'no status'} after ${result.polls} polls`);
}

/** A `track` of an order that already ended finally: what was recorded, and that nothing started. */
export function formatRecorded(response: Extract<TrackResponse, { kind: 'recorded' }>): string {
  return printable(`${response.workflowId} already ended: ${response.outcome} (${response.status ?? 'no status'}), recorded ${response.recordedAt}; nothing started`);
}

/** One line per order: its latest run's status and outcome; then how to ask for the next page. */
export function formatList(orders: ListedOrder[], nextPageToken: string | null = null): string {
  const lines = orders.map((order) =>
    printable([order.workflowId, order.status ?? '—', order.outcome ?? order.executionStatus.toLowerCase(), order.startTime].join('  ')),
  );
  if (lines.length === 0) lines.push('no orders');
  if (nextPageToken !== null) lines.push(`more: add --page-token ${nextPageToken}`);
  return lines.join('\n');
}

function detailsText(details: Details): string {
  return Object.entries(details)
    .filter(([, value]) => value !== null)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
}

/**
 * The lines a log of an order's progress gains between two snapshots (`previous` undefined: the
 * first), for `--follow` when stdout is not a terminal: new transitions with their times, each
 * poll, changed details, attention and the outcome. Countdowns are shown when their line is new.
 */
export function formatProgressChanges(previous: Progress | undefined, progress: Progress, now: number): string[] {
  return progressChanges(previous, progress, now).map(printable);
}

function progressChanges(previous: Progress | undefined, progress: Progress, now: number): string[] {
  const at = new Date(now).toISOString();
  const lines: string[] = [];
  if (previous === undefined) {
    const reference = progress.reference ? ` (ref ${progress.reference})` : '';
    lines.push(`following ${progress.provider}:${progress.orderId}${reference}: started ${relative(progress.startedAt, now)}, max wait ${relative(progress.deadline, now)}`);
  }
  const known = new Set((previous?.transitions ?? []).map((transition) => `${transition.at} ${transition.status}`));
  for (const transition of progress.transitions) {
    if (!known.has(`${transition.at} ${transition.status}`)) lines.push(`${transition.at}  ${transition.status}  (${transition.source})`);
  }
  if (progress.attention !== (previous?.attention ?? null)) lines.push(`${at}  attention ${progress.attention ?? 'cleared'}`);
  const details = detailsText(progress.details);
  if (details !== '' && details !== detailsText(previous?.details ?? {})) lines.push(`${at}  details ${details}`);
  if (progress.polls !== previous?.polls && progress.outcome === null) {
    const expiry = providerExpiry(progress.details);
    const expires = expiry === null ? '' : `, expires ${relative(expiry, now)}`;
    lines.push(`${at}  polls ${progress.polls} (pushes ${progress.pushes}), next poll ${relative(progress.nextPollAt, now)}${expires}`);
  }
  if (progress.outcome !== null && progress.outcome !== previous?.outcome) {
    lines.push(`${at}  outcome ${progress.outcome}: ${progress.status ?? 'no status'} after ${progress.polls} polls`);
  }
  const fulfilment = `recorded=${progress.fulfilment.recorded} callback=${progress.fulfilment.callback}`;
  const previousFulfilment = previous && `recorded=${previous.fulfilment.recorded} callback=${previous.fulfilment.callback}`;
  if (progress.outcome !== null && (progress.outcome !== previous?.outcome || fulfilment !== previousFulfilment)) {
    lines.push(`${at}  fulfilment ${fulfilment}`);
  }
  return lines;
}

/** What a `track` of an already running order did with its reference and max wait (client/order-tracker.ts). */
export function formatJoined(joined: JoinedOrder): string {
  if (joined.reopens !== undefined) return `it had ended ${joined.reopens} and was delivering that outcome: tracking again with this track's reference and max wait`;
  const lines = [`already running (started by ${joined.startedBy === 'push' ? 'a push' : 'an earlier track'})`];
  const handed = joined.handedOver.map((setting) => (setting === 'reference' ? 'the reference' : 'the max wait (from now)'));
  if (handed.length > 0) lines.push(`handed it ${handed.join(' and ')}${joined.startedBy === 'push' ? ', unless an earlier track already set them' : ''}`);
  const kept: string[] = [];
  if (joined.kept.reference !== undefined) kept.push(`reference ${printable(String(joined.kept.reference))}`);
  if (joined.kept.maxWaitMs !== undefined) kept.push(`max wait ${formatDuration(joined.kept.maxWaitMs)}`);
  if (kept.length > 0) lines.push(`the running order keeps its own ${kept.join(' and ')}`);
  return lines.join('\n');
}
