/**
 * A list sweep: the provider's list of orders (newest first), page after page, answers for every
 * member it shows, until each due member was seen or the pages run out. Requests grow with pages
 * (100 orders each), not with orders. A member a page shows unchanged is looked at again at its
 * cadence; one that changed is reported (Houdini's list shows the whole order) or asked about with
 * one poll for the details the list lacks (Magma's shows the status only). Due members the pages do
 * not show are returned, to be asked one by one.
 */
import { type Member, isNews } from './member-schedule';
import type { Observation } from '../../domain/types';
import type { ListCursor, ListedOrder, ProviderAdapter } from '../../providers/provider';

/** A sweep reads at most this many pages (10,000 orders); what it does not reach is asked by id. */
export const MAX_SWEEP_PAGES = 100;

export interface SweepRequest {
  adapter: ProviderAdapter;
  members: ReadonlyMap<string, Member>;
  due: readonly Member[];
  signal: AbortSignal;
  now: () => number;
  /** Waits for the provider's next request slot; false when a 429 pause forbids asking now. */
  reservePage: () => Promise<boolean>;
  /** A member's whole answer from a page (requested at `requestedAt`): reported when it is news. */
  answer: (member: Member, observation: Observation, requestedAt: number) => Promise<void>;
  onUnknownListed?: (orders: readonly ListedOrder[]) => Promise<void>;
  /** Reconciliation: pages are read on while they show orders created since then (epoch ms). */
  reconcileSince?: number;
  log: { warn(message: string, fields?: Record<string, unknown>): void };
}

export interface SweepOutcome {
  pages: number;
  /** Every member a page showed. */
  seen: string[];
  /** Due members the pages did not show, and members whose change needs a poll for its details. */
  unseen: Member[];
}

export async function sweepList(request: SweepRequest): Promise<SweepOutcome> {
  const { adapter, members, due, signal, now, log } = request;
  const wanted = new Set(due.map((member) => member.orderId));
  const seen: string[] = [];
  const askByPoll: Member[] = [];
  let cursor: ListCursor | null = null;
  let pages = 0;
  let recentOnPage = request.reconcileSince !== undefined;
  while ((wanted.size > 0 || recentOnPage) && pages < MAX_SWEEP_PAGES && !signal.aborted) {
    if (!(await request.reservePage())) break;
    let page;
    const requestedAt = now();
    try {
      page = await (adapter.listPage as NonNullable<ProviderAdapter['listPage']>)(cursor, signal);
    } catch (error) {
      if (!signal.aborted) log.warn('list sweep failed; its orders are asked one by one', { provider: adapter.name, pages, error: error instanceof Error ? error.message : String(error) });
      break;
    }
    pages += 1;
    const unknown: ListedOrder[] = [];
    for (const listed of page.orders) {
      const member = members.get(listed.orderId);
      if (member === undefined) {
        unknown.push(listed);
        continue;
      }
      seen.push(member.orderId);
      wanted.delete(member.orderId);
      // A final status already reported is asked about again only at its re-check.
      if (member.inFlight || (member.reportedFinal && member.nextDueAt > now())) continue;
      member.unreported += 1;
      if (!isNews(member, listed.observation)) {
        member.nextDueAt = nextLookAfterListing(member, listed.observation, now());
        member.lastLookAt = now();
      } else if (listed.complete) {
        await request.answer(member, listed.observation, requestedAt);
      } else {
        askByPoll.push(member);
      }
    }
    if (unknown.length > 0 && request.onUnknownListed !== undefined) await request.onUnknownListed(unknown);
    const since = request.reconcileSince;
    recentOnPage = since !== undefined && page.orders.some((listed) => listed.createdAt !== null && listed.createdAt >= since);
    cursor = page.next;
    if (cursor === null) break;
  }
  const unseen = due.filter((member) => wanted.has(member.orderId));
  return { pages, seen, unseen: [...unseen, ...askByPoll] };
}

/**
 * An unchanged order on a page is looked at again after its status's cadence, but no later than
 * where its last full answer pointed (a phase's expiry, which the list does not show).
 */
export function nextLookAfterListing(member: Pick<Member, 'minGapMs' | 'fullDueAt'>, observation: Observation, now: number): number {
  const byStatus = now + Math.max(member.minGapMs, observation.nextWaitMs);
  const byFullAnswer = member.fullDueAt !== null && member.fullDueAt > now + member.minGapMs ? member.fullDueAt : Number.POSITIVE_INFINITY;
  return Math.min(byStatus, byFullAnswer);
}
