import { formatDuration } from '../workflows/current-details';
import type { Progress, TrackOrderResult } from '../workflows/types';
import type { ListedOrder } from './order-tracker';

function relative(iso: string | null, now: number): string {
  if (iso === null) return '—';
  const at = Date.parse(iso);
  const distance = formatDuration(Math.abs(at - now));
  return at >= now ? `${iso} (in ${distance})` : `${iso} (${distance} ago)`;
}

/** A person's view of one order's progress. */
export function formatProgress(progress: Progress, now: number): string {
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
  } else {
    lines.push(`fulfilment recorded=${progress.fulfilment.recorded} callback=${progress.fulfilment.callback}`);
  }
  const details = Object.entries(progress.details).filter(([, value]) => value !== null);
  if (details.length > 0) lines.push(`details    ${details.map(([key, value]) => `${key}=${value}`).join(' ')}`);
  if (progress.transitions.length > 0) {
    lines.push('transitions');
    if (progress.transitionsDropped > 0) lines.push(`  (${progress.transitionsDropped} earlier transitions not kept)`);
    for (const transition of progress.transitions) lines.push(`  ${transition.at}  ${transition.status}  (${transition.source})`);
  }
  return lines.join('\n');
}

export function formatResult(workflowId: string, result: TrackOrderResult): string {
  return `${workflowId} ended ${result.outcome}: ${result.status ?? 'no status'} after ${result.polls} polls`;
}

export function formatList(orders: ListedOrder[]): string {
  if (orders.length === 0) return 'no orders';
  return orders
    .map((order) => [order.workflowId, order.status ?? '—', order.outcome ?? order.executionStatus.toLowerCase(), order.startTime].join('  '))
    .join('\n');
}
