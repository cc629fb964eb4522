/**
 * Toy's API as both ends speak it: the provider code in this folder (client, list page, bridge,
 * webhook route) and its simulator (toy-simulator.ts) take the paths, headers, signing and message
 * shapes from here, as a real provider's `<name>-protocol.ts` does.
 *
 *   GET  {TOY_URL}/orders/:id          `Authorization: Token <TOY_TOKEN>` → an order
 *   GET  {TOY_URL}/orders?page=N       → `{ orders: [newest first], next: N+1 | null }`
 *   WS   {TOY_WS_URL}                  same header; every change of the account's orders, as `{ type: 'order', order }`
 *   POST <receiver>/webhooks/toy       `x-toy-signature`: hex HMAC-SHA256 of the body with TOY_WEBHOOK_SECRET;
 *                                      `{ event: 'order.updated', order }` (other events: `{ event }` alone)
 *
 * An order is `{ id, state, created }`, state `waiting`, `paying`, `paid` or `refused`.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { ProviderName } from '../../../domain/types';

/** Not one of PROVIDER_NAMES: the toy is registered at run time (registerProvider). */
export const TOY = 'toy' as ProviderName;

export const TOY_ORDERS_PATH = '/orders';
export const TOY_UPDATES_PATH = '/updates';
export const TOY_SIGNATURE_HEADER = 'x-toy-signature';
export const TOY_ORDER_EVENT = 'order.updated';
/** The socket closes with this when the token is refused: retrying cannot help. */
export const TOY_REFUSED_CLOSE_CODE = 4401;

export function toyAuthorization(token: string): string {
  return `Token ${token}`;
}

export function signToyWebhook(rawBody: string | Buffer, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

export const toyOrderSchema = z.object({ id: z.string().min(1), state: z.string(), created: z.string().nullish() });
export type ToyOrder = z.infer<typeof toyOrderSchema>;

export const toyListSchema = z.object({ orders: z.array(toyOrderSchema), next: z.number().int().nullable() });

/** A socket message. */
export const toyUpdateSchema = z.object({ type: z.literal('order'), order: toyOrderSchema });

/** A webhook's body: an order's change, or another event (its name only). */
export const toyWebhookSchema = z.object({ event: z.string(), order: toyOrderSchema.optional() });
