/**
 * A contender's requests, from its simulators' request logs: per-order requests (they name their
 * order) and list pages (Houdini's `GET /v2/orders`, Magma's `purchases`/`sales`), which name none.
 * A page is attributed to the orders of its provider in flight when it was asked (created, and not
 * yet known final by the tracker), an equal share each, so requests per order add up to all
 * requests (a page asked after the last of them ended, while its group was still letting go of
 * it, goes to the order that ended last). A poll is a per-order request or a page's look at one order in flight: the work a seed
 * loop does with one request, done for many orders by one page.
 */
import type { ProviderName } from '../../domain/types';
import type { RequestLogEntry } from '../../sandbox/request-log';
import type { BenchOrder } from '../workload/corpus';

export const BENCH_PROVIDERS = ['magma', 'miraclecash', 'ozzobit', 'houdini'] as const;

export interface RequestAccount {
  /** Every request of the contender: its orders' requests and its list pages. */
  requests: number;
  listPages: number;
  /** Per-order requests plus the pages' looks at orders in flight. */
  polls: number;
  byProvider: Partial<Record<ProviderName, { requests: number; pages: number; looks: number }>>;
  /** Per order (workload index): its requests plus its share of the pages. */
  perOrder: number[];
  /** Pages asked before any of the provider's orders was created (in no order's figure). */
  unattributedPages: number;
}

export interface OrderSpan {
  /** When the order was created (wall ms); undefined: never submitted. */
  createdAt?: number;
  /** When the tracker knew its final status (wall ms); undefined: followed to the run's end. */
  finalAt?: number;
}

export function isListPage(entry: RequestLogEntry): boolean {
  return entry.orderId === undefined && entry.listed !== undefined;
}

export function accountRequests(
  logs: Partial<Record<ProviderName, readonly RequestLogEntry[]>>,
  orders: readonly BenchOrder[],
  ids: readonly string[],
  spans: readonly OrderSpan[],
): RequestAccount {
  const indexOf = new Map(ids.map((orderId, index) => [orderId, index]));
  const account: RequestAccount = { requests: 0, listPages: 0, polls: 0, byProvider: {}, perOrder: ids.map(() => 0), unattributedPages: 0 };
  const inFlightAt = (index: number, at: number) => {
    const span = spans[index];
    return span?.createdAt !== undefined && span.createdAt <= at && (span.finalAt === undefined || at <= span.finalAt);
  };
  for (const provider of BENCH_PROVIDERS) {
    const mine = orders.flatMap((order, index) => (order.provider === provider ? [index] : []));
    const figures = { requests: 0, pages: 0, looks: 0 };
    for (const entry of logs[provider] ?? []) {
      if (entry.orderId !== undefined) {
        const index = indexOf.get(entry.orderId);
        if (index === undefined) continue;
        figures.requests += 1;
        account.perOrder[index] = (account.perOrder[index] ?? 0) + 1;
        continue;
      }
      if (!isListPage(entry)) continue;
      figures.requests += 1;
      figures.pages += 1;
      figures.looks += (entry.listed ?? []).filter((orderId) => {
        const index = indexOf.get(orderId);
        return index !== undefined && inFlightAt(index, entry.at);
      }).length;
      const sharing = pageSharers(mine, spans, entry.at, inFlightAt);
      if (sharing.length === 0) account.unattributedPages += 1;
      for (const index of sharing) account.perOrder[index] = (account.perOrder[index] ?? 0) + 1 / sharing.length;
    }
    account.byProvider[provider] = figures;
    account.requests += figures.requests;
    account.listPages += figures.pages;
    account.polls += figures.requests - figures.pages + figures.looks;
  }
  return account;
}

/** The orders a page is shared by: those in flight when it was asked, else the one that ended last before it. */
function pageSharers(candidates: readonly number[], spans: readonly OrderSpan[], at: number, inFlightAt: (index: number, at: number) => boolean): number[] {
  const inFlight = candidates.filter((index) => inFlightAt(index, at));
  if (inFlight.length > 0) return inFlight;
  let last: number | undefined;
  for (const index of candidates) {
    const finalAt = spans[index]?.finalAt;
    if (finalAt === undefined || finalAt > at) continue;
    if (last === undefined || finalAt > (spans[last]?.finalAt ?? 0)) last = index;
  }
  return last === undefined ? [] : [last];
}
