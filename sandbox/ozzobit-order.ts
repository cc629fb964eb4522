/**
 * The order object the OZZOBiT simulator serves over REST, in webhooks (`data`) and on socket.io
 * (`order:update`): the same object on every channel, as the seed's handlers read `data.status`,
 * `event.data.id` and `update.status` from it alike.
 *
 * Seed 002 shows only `id` and `status`. The other fields are our reading of a fiat-to-crypto
 * on-ramp order (OZZOBiT's statuses and ORDER_* events match Transak's white-label API): amounts
 * and currencies on both sides, network, destination wallet, the delivery transaction hash once
 * crypto is sent, and creation / last-change times. A script's `fields` override any of them.
 */
import { fieldsAt } from './scenario';
import type { OrderScript } from './scenario';
import type { ShapeVariant } from './shape-variant';

export function ozzobitOrder(script: OrderScript, stepIndex: number, createdAt: number, updatedAt: number): Record<string, unknown> {
  const step = script.steps[stepIndex];
  if (step === undefined) throw new Error(`script ${script.id} has no step ${stepIndex}`);
  const order: Record<string, unknown> = {
    id: script.id,
    status: step.status,
    isBuyOrSell: 'BUY',
    fiatCurrency: 'EUR',
    fiatAmount: 100,
    cryptoCurrency: 'USDT',
    cryptoAmount: 98.42,
    network: 'ethereum',
    walletAddress: '0x7a16fF8270133F063aAb6C9977183D9e72835428',
    transactionHash: null,
    createdAt: new Date(createdAt).toISOString(),
    updatedAt: new Date(updatedAt).toISOString(),
    ...fieldsAt(script, stepIndex),
  };
  // The script's id and step status always win over anything in `fields` (and stay the first keys).
  order.id = script.id;
  order.status = step.status;
  return order;
}

/** The REST answer: the order itself (the seed), or `{ data: <order without id> }` (alternate). */
export function ozzobitRestBody(order: Record<string, unknown>, shape: ShapeVariant): Record<string, unknown> {
  if (shape === 'seed') return order;
  const withoutId = { ...order };
  delete withoutId.id;
  return { data: withoutId };
}

/** A socket `order:update`: the order (the seed's `update.status`), named `orderId` instead of `id` in the alternate shape. */
export function ozzobitSocketUpdate(order: Record<string, unknown>, shape: ShapeVariant): Record<string, unknown> {
  if (shape === 'seed') return order;
  const update: Record<string, unknown> = { orderId: order.id, ...order };
  delete update.id;
  return update;
}
