/**
 * What OZZOBiT pushes, read into observations: webhook bodies (`{ eventName: 'ORDER_<STATUS>', data:
 * <order> }`, strict envelope) and socket.io `order:update` payloads (the order itself). Pure: the
 * route and the bridge do the I/O. Both normalise with the provider module the poll uses, so a push
 * and a poll of the same order state give the same observation, rank included.
 */
import { normalizeOzzobitOrder } from '../../activities/providers/ozzobit/ozzobit-normalize';
import { ozzobitOrderSchema } from '../../activities/providers/ozzobit/ozzobit-schema';
import { ozzobitWebhookSchema } from '../../activities/providers/ozzobit/ozzobit-webhook';
import { describeSchemaIssues } from '../../activities/providers/schema-issues';
import { InvalidInputError, parseOrderId } from '../../common/order-input';
import type { Observation } from '../../workflows/types';

export interface OzzobitPush {
  orderId: string;
  observation: Observation;
}

export type ParsedOzzobitPush = ({ ok: true } & OzzobitPush) | { ok: false; reason: string };

/** A verified webhook payload (the bytes the verifier vouched for) → the order's observation. */
export function parseOzzobitWebhook(payload: Buffer, now: number): ParsedOzzobitPush {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `body is not JSON: ${(error as Error).message}` };
  }
  const parsed = ozzobitWebhookSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `not an OZZOBiT order event: ${describeSchemaIssues(parsed.error)}` };
  // The event name says why it was sent; `data.status` is the state we act on (as the poll does).
  return toPush(parsed.data.data, now);
}

/** A socket.io `order:update` payload → the order's observation. */
export function parseOzzobitUpdate(payload: unknown, now: number): ParsedOzzobitPush {
  const parsed = ozzobitOrderSchema.safeParse(payload);
  if (!parsed.success) return { ok: false, reason: `not an OZZOBiT order: ${describeSchemaIssues(parsed.error)}` };
  return toPush(parsed.data, now);
}

function toPush(order: Parameters<typeof normalizeOzzobitOrder>[0], now: number): ParsedOzzobitPush {
  try {
    parseOrderId(order.id);
  } catch (error) {
    if (error instanceof InvalidInputError) return { ok: false, reason: error.message };
    throw error;
  }
  return { ok: true, orderId: order.id, observation: normalizeOzzobitOrder(order, now) };
}
