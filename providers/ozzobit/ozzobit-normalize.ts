import type { Observation } from '../../domain/types';
import { type ProviderClock, SYSTEM_CLOCK } from '../provider-clock';
import { toObservation } from '../status-class';
import type { OzzobitOrder } from './ozzobit-schema';
import { classifyOzzobitStatus } from './ozzobit-status';

/**
 * The one normalisation of an OZZOBiT order, shared by the poll activity, the webhook ingress and
 * the socket.io bridge, so a push and a poll of the same order state give the same observation
 * (same status, phase, rank and details). `now` is the provider-module contract (other providers
 * place polls by it); OZZOBiT's cadence is flat, so the result does not depend on it.
 */
export function normalizeOzzobitOrder(order: OzzobitOrder, now: number, clock: ProviderClock = SYSTEM_CLOCK): Observation {
  const info = classifyOzzobitStatus(order.status);
  // Only fields that stay put within a status: a push and a later poll must agree.
  return toObservation(order.status, info, clock.wallWait(info.cadenceMs), {
    cryptoCurrency: order.cryptoCurrency ?? null,
    cryptoAmount: order.cryptoAmount ?? null,
    network: order.network ?? null,
    transactionHash: order.transactionHash ?? null,
  });
}
