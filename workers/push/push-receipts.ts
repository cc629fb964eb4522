/**
 * What became of each push the ingress and the push bridges received: counted by provider, channel
 * and result on the process's metric meter (`order_tracker_push_receipts`), and logged with the
 * order key when it reached the tracker. The order's own count of what a push changed is
 * `order_tracker_pushes` (workflows/order-metrics.ts).
 */
import type { MetricMeter } from '@temporalio/common';
import { InvalidInputError, parseOrderId, parseProvider } from '../../common/order-input';
import { ORDER_ATTRIBUTE, type OrderRef, withOrderSpan } from '../../common/tracing';
import { orderKey } from '../../domain/ids';
import type { Observation, ProviderName, PushResponse } from '../../domain/types';
import type { CountPushReceipt, PushChannel, PushTarget } from '../../providers/push/push-channel';
import type { PushLogger } from '../../providers/push/push-logger';

export type { CountPushReceipt, PushChannel, PushReceipt } from '../../providers/push/push-channel';

export const PUSH_RECEIPTS_METRIC = 'order_tracker_push_receipts';

/** Counts one route's or bridge's receipts; counts nothing without a meter. */
export function pushReceiptCounter(meter: MetricMeter | undefined, provider: ProviderName, channel: PushChannel): CountPushReceipt {
  if (meter === undefined) return () => undefined;
  const counter = meter.createCounter(PUSH_RECEIPTS_METRIC, '', 'Pushes received by the ingress and push bridges, by what became of them');
  return (receipt) => counter.add(1, { provider, channel, result: receipt });
}

/** The order a push names, when it names one validly (a malformed one gets no span of its own). */
function pushedOrder(provider: string, orderId: string): OrderRef | undefined {
  try {
    return { provider: parseProvider(provider), orderId: parseOrderId(orderId) };
  } catch {
    return undefined;
  }
}

/**
 * The tracker a route or bridge pushes through: each push's receipt is counted, a delivered one
 * logged, and each push opens a span in its order's trace (common/tracing.ts) that the signal carries on.
 */
export function reportingPushes(tracker: PushTarget, count: CountPushReceipt, logger: PushLogger, channel?: PushChannel): PushTarget {
  async function deliver(provider: string, orderId: string, observation: Observation): Promise<PushResponse> {
    let response: PushResponse;
    try {
      response = await tracker.push(provider, orderId, observation);
    } catch (error) {
      // An order id or observation the tracker refuses came from the provider: it is the push's fault.
      count(error instanceof InvalidInputError ? 'malformed' : 'failed');
      throw error;
    }
    count(response.kind);
    logger.info('push received', {
      orderKey: orderKey(provider as ProviderName, orderId),
      status: observation.status,
      result: response.kind,
      ...(response.kind === 'ignored' && { reason: response.reason }),
    });
    return response;
  }
  return {
    async push(provider: string, orderId: string, observation: Observation): Promise<PushResponse> {
      const order = pushedOrder(provider, orderId);
      if (order === undefined) return deliver(provider, orderId, observation);
      const attributes = { [ORDER_ATTRIBUTE.status]: observation.status, ...(channel && { 'order.push.channel': channel }) };
      return withOrderSpan('order.push', order, attributes, async (span) => {
        const response = await deliver(provider, orderId, observation);
        span?.setAttribute('order.push.result', response.kind);
        return response;
      });
    },
  };
}
