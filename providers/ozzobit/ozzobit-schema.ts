import { z } from 'zod';
import { displayField } from '../display-field';
import { providerStatus } from '../provider-status';

/**
 * An OZZOBiT order as GET /api/v2/orders/:id answers it, as webhooks carry it in `data`, and as
 * socket.io `order:update` sends it: one schema, so polls and pushes are read the same way.
 * Minimal: the seed reads only `status` (and `data.id` in its webhook handler). `id` is checked
 * when present; a push may name the order `orderId` instead. Everything else is display-only: a
 * value of another type becomes null (display-field.ts) and never rejects the answer.
 */
const PROVIDER = 'OZZOBiT';
const amount = z.union([z.number(), z.string()]).nullish();

export const ozzobitOrderSchema = z.object({
  id: z.string().min(1).nullish(),
  orderId: z.string().min(1).nullish(),
  status: providerStatus,
  cryptoCurrency: displayField(PROVIDER, 'cryptoCurrency', z.string().nullish()),
  cryptoAmount: displayField(PROVIDER, 'cryptoAmount', amount),
  network: displayField(PROVIDER, 'network', z.string().nullish()),
  transactionHash: displayField(PROVIDER, 'transactionHash', z.string().nullish()),
});

export type OzzobitOrder = z.infer<typeof ozzobitOrderSchema>;

/** The order's id as the provider names it: `id`, or `orderId` (some pushes), or neither. */
export function ozzobitOrderIdOf(order: Pick<OzzobitOrder, 'id' | 'orderId'>): string | undefined {
  return order.id ?? order.orderId ?? undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Where the order sits in a REST answer: the seed reads `data.status` off the body, so the order is
 * the body itself; many APIs of this family wrap it as `{ data: <order> }`. Both are read: the body
 * when it has a `status`, else its `data` object when there is one.
 */
export function ozzobitOrderIn(body: unknown): unknown {
  if (isRecord(body) && !('status' in body) && isRecord(body.data)) return body.data;
  return body;
}

/** Error bodies: `{ error: { statusCode, name, message } }`; read only for a better message. */
export const ozzobitErrorSchema = z.object({
  error: z.object({ message: z.string().nullish() }).nullish(),
  message: z.string().nullish(),
});
