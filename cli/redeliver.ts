import type { CallbackSender } from '../callbacks/callback-sender';
import { callbackIdempotencyKey } from '../callbacks/callback-sender';
import type { Ledger } from '../storage/ledger/ledger';
import type { CallbackState, ProviderName } from '../domain/types';
import { OrderNotFoundError } from '../client/order-tracker';

export interface RedeliveryResult {
  callback: CallbackState;
  detail: string | null;
}

/**
 * `order-tracker redeliver`: sends a pending or rejected callback again — the body recorded with the
 * outcome, the same Idempotency-Key — and records the answer. A delivered callback is not resent.
 */
export async function redeliverCallback(
  ledger: Ledger,
  sender: CallbackSender,
  provider: ProviderName,
  orderId: string,
): Promise<RedeliveryResult> {
  const row = await ledger.find(provider, orderId);
  if (row === undefined) throw new OrderNotFoundError(`the ledger has no outcome for ${provider}:${orderId}`);
  if (row.callbackBody === null) return { callback: row.callback, detail: 'no callback was recorded for this outcome' };
  if (row.callback === 'delivered') return { callback: 'delivered', detail: 'already delivered' };
  const result = await sender.send(row.callbackBody, callbackIdempotencyKey(row));
  const callback: CallbackState = result.kind === 'delivered' ? 'delivered' : result.kind === 'rejected' ? 'rejected' : 'pending';
  const detail = result.kind === 'delivered' ? null : result.detail;
  await ledger.markCallback(provider, orderId, row.outcome, callback, detail);
  return { callback, detail };
}
