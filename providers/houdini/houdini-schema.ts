import { z } from 'zod';
import { displayField } from '../display-field';

/**
 * Our reading of Houdini's order object (seed 003 only says that `status` is numeric and that an
 * `order_update` carries "the full order object — the same shape as GET /v2/orders/{houdiniId}"):
 *
 *   { houdiniId, created, expires, status, anonymous, depositAddress, depositTag,
 *     receiverAddress, receiverTag, inAmount, inSymbol, outAmount, outSymbol, eta,
 *     inTxHash, outTxHash, route }
 *
 * `created`/`expires` are ISO times (`expires` = the end of the 30-minute deposit window), amounts
 * are numbers (strings accepted too), `eta` is in minutes, and `route` is censored (null) for
 * anonymous orders. Minimal: only what we read; `.nullish()` so a field Houdini adds or drops
 * breaks nothing, and every field but `houdiniId` and `status` display-only (display-field.ts).
 */
const PROVIDER = 'Houdini';
const amount = z.union([z.number(), z.string()]).nullish();
const text = z.string().nullish();

export const houdiniOrderSchema = z.object({
  houdiniId: z.string().min(1).max(128),
  status: z.number().int(),
  // Display-only (and `expires` only places a poll): a value of another type becomes null, logged.
  created: displayField(PROVIDER, 'created', text),
  expires: displayField(PROVIDER, 'expires', text),
  anonymous: displayField(PROVIDER, 'anonymous', z.boolean().nullish()),
  depositAddress: displayField(PROVIDER, 'depositAddress', text),
  inAmount: displayField(PROVIDER, 'inAmount', amount),
  inSymbol: displayField(PROVIDER, 'inSymbol', text),
  outAmount: displayField(PROVIDER, 'outAmount', amount),
  outSymbol: displayField(PROVIDER, 'outSymbol', text),
  eta: displayField(PROVIDER, 'eta', z.number().nullish()),
  outTxHash: displayField(PROVIDER, 'outTxHash', text),
});

export type HoudiniOrder = z.infer<typeof houdiniOrderSchema>;

/** `GET /v2/orders?page=&pageSize=`: newest first, `total` over all pages (our reading). */
export const houdiniOrderListSchema = z.object({
  orders: z.array(houdiniOrderSchema),
  total: z.number().int().nonnegative().nullish(),
});

/** The push the WebSocket bridge reads: `{ type: 'order_update', data: <order> }`. */
export const houdiniOrderUpdateSchema = z.object({
  type: z.literal('order_update'),
  data: houdiniOrderSchema,
});
