import { z } from 'zod';

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
 * breaks nothing.
 */
const amount = z.union([z.number(), z.string()]).nullish();

export const houdiniOrderSchema = z.object({
  houdiniId: z.string().min(1),
  status: z.number().int(),
  created: z.string().nullish(),
  expires: z.string().nullish(),
  anonymous: z.boolean().nullish(),
  depositAddress: z.string().nullish(),
  inAmount: amount,
  inSymbol: z.string().nullish(),
  outAmount: amount,
  outSymbol: z.string().nullish(),
  eta: z.number().nullish(),
  outTxHash: z.string().nullish(),
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
