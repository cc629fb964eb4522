/**
 * An order's audit trail as people read it (`order-tracker status <provider> <orderId> --history`,
 * `GET /orders/:provider/:orderId/history`): every provider answer that changed the order, oldest
 * first, with its time and source, redacted as kept (activities/audit/audit-trail.ts). Read from the
 * ledger's database alone: it answers after the order's workflow history is gone.
 */
import { InvalidInputError, parseOrderId, parseProvider } from '../common/order-input';
import type { ProviderName } from '../domain/types';
import type { AnswerSource, AnswerStore } from '../storage/ledger/provider-answers';
import { OrderNotFoundError } from './order-tracker';

export interface HistoryEntry {
  receivedAt: string;
  source: AnswerSource;
  status: string;
  answer: unknown;
}

export interface OrderHistory {
  provider: ProviderName;
  orderId: string;
  answers: HistoryEntry[];
}

/** As many as an order keeps (MAX_ANSWERS_PER_ORDER). */
export const HISTORY_LIMIT_MAX = 100;

/** A `--limit` or `?limit=` value: a whole number from 1 to 100, or absent. */
export function parseHistoryLimit(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  const number = /^\d{1,6}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(number) || number < 1 || number > HISTORY_LIMIT_MAX) {
    throw new InvalidInputError(`invalid ${name} ${JSON.stringify(text.slice(0, 40))}: use a whole number from 1 to ${HISTORY_LIMIT_MAX}`);
  }
  return number;
}

/** The order's kept answers (the newest `limit`), or OrderNotFoundError when it has none. */
export async function readOrderHistory(store: Pick<AnswerStore, 'answers'>, providerText: unknown, orderIdText: unknown, limit?: number): Promise<OrderHistory> {
  const provider = parseProvider(providerText);
  const orderId = parseOrderId(orderIdText);
  const kept = await store.answers(provider, orderId, limit);
  if (kept.length === 0) throw new OrderNotFoundError(`no provider answer is kept for ${provider}:${orderId} (none arrived, or all are older than AUDIT_RETENTION)`);
  return {
    provider,
    orderId,
    answers: kept.map(({ receivedAt, source, status, answer }) => ({ receivedAt, source, status, answer })),
  };
}

/** For a terminal: one block per answer, its time, source and status, then the answer as JSON. */
export function formatOrderHistory(history: OrderHistory): string {
  const heading = `${history.provider}:${history.orderId}: ${history.answers.length} provider answer${history.answers.length === 1 ? '' : 's'} that changed the order, oldest first`;
  const blocks = history.answers.map((entry) => `${entry.receivedAt}  ${entry.source.padEnd(5)}  ${entry.status}\n  ${JSON.stringify(entry.answer)}`);
  return [heading, ...blocks].join('\n');
}
