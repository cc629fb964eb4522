/**
 * What OZZOBiT pushes, read into observations: webhook bodies (`{ eventName: 'ORDER_<STATUS>', data:
 * <order> }`, other keys allowed) and socket.io `order:update` payloads (the order itself). Pure: the
 * route and the bridge do the I/O. Both normalise with the provider module the poll uses, so a push
 * and a poll of the same order state give the same observation, rank included.
 */
import { normalizeOzzobitOrder } from './ozzobit-normalize';
import { withAnswer } from '../provider-answer';
import { type ProviderClock, SYSTEM_CLOCK } from '../provider-clock';
import { type OzzobitOrder, ozzobitOrderIdOf, ozzobitOrderSchema } from './ozzobit-schema';
import {
  ozzobitEventNameOf,
  ozzobitEventOrderOf,
  ozzobitEventStatus,
  ozzobitWebhookEnvelopeSchema,
} from './ozzobit-webhook';
import { describeSchemaIssues } from '../schema-issues';
import { InvalidInputError, parseOrderId } from '../../common/order-id';
import type { Observation } from '../../domain/types';

export interface OzzobitPush {
  orderId: string;
  observation: Observation;
}

export type ParsedOzzobitPush = ({ ok: true } & OzzobitPush) | { ok: false; reason: string };

/**
 * A webhook may also be a well-formed event that is not about an order's status (`otherEvent`: its
 * name): answered 2xx and nothing done, as the seed's switch does.
 */
export type ParsedOzzobitWebhook = ParsedOzzobitPush | { ok: false; reason: string; otherEvent: string };

/** A verified webhook payload (the bytes the verifier vouched for) → the order's observation. */
export function parseOzzobitWebhook(payload: Buffer, now: number, clock: ProviderClock = SYSTEM_CLOCK): ParsedOzzobitWebhook {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `body is not JSON: ${(error as Error).message}` };
  }
  const envelope = ozzobitWebhookEnvelopeSchema.safeParse(json);
  if (!envelope.success) return { ok: false, reason: `not an OZZOBiT order event: ${describeSchemaIssues(envelope.error)}` };
  const eventName = ozzobitEventNameOf(envelope.data);
  if (eventName === undefined) return { ok: false, reason: 'not an OZZOBiT event: no eventName' };
  // The seed's switch answers every other event 200 and does nothing with it.
  if (ozzobitEventStatus(eventName) === undefined) return { ok: false, reason: `not an order event: ${eventName}`, otherEvent: eventName };
  const order = ozzobitOrderSchema.safeParse(ozzobitEventOrderOf(envelope.data), { path: ['data'] });
  if (!order.success) return { ok: false, reason: `not an OZZOBiT order event: ${describeSchemaIssues(order.error)}` };
  // The event name says why it was sent; `data.status` is the state we act on (as the poll does).
  return toPush(order.data, undefined, now, clock, json);
}

/**
 * A socket.io `order:update` payload → the order's observation. The update names its order `id` or
 * `orderId`; without either, the order the socket subscribed to (`subscribedOrderId`) is meant.
 */
export function parseOzzobitUpdate(payload: unknown, now: number, subscribedOrderId?: string, clock: ProviderClock = SYSTEM_CLOCK): ParsedOzzobitPush {
  const parsed = ozzobitOrderSchema.safeParse(payload);
  if (!parsed.success) return { ok: false, reason: `not an OZZOBiT order: ${describeSchemaIssues(parsed.error)}` };
  return toPush(parsed.data, subscribedOrderId, now, clock, payload);
}

/** `answer`: the event as it arrived, attached for the audit trail (provider-answer.ts). */
function toPush(order: OzzobitOrder, fallbackOrderId: string | undefined, now: number, clock: ProviderClock, answer: unknown): ParsedOzzobitPush {
  const orderId = ozzobitOrderIdOf(order) ?? fallbackOrderId;
  if (orderId === undefined) return { ok: false, reason: 'the order has no id (id or orderId)' };
  try {
    parseOrderId(orderId);
  } catch (error) {
    if (error instanceof InvalidInputError) return { ok: false, reason: error.message };
    throw error;
  }
  return { ok: true, orderId, observation: withAnswer(normalizeOzzobitOrder(order, now, clock), answer) };
}
