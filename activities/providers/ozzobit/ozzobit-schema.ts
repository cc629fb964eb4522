import { z } from 'zod';

/**
 * An OZZOBiT order as GET /api/v2/orders/:id answers it, as webhooks carry it in `data`, and as
 * socket.io `order:update` sends it: one schema, so polls and pushes are read the same way.
 * Minimal: only what we read, `.nullish()` so a field OZZOBiT adds or drops breaks nothing.
 * Amounts may come as numbers or decimal strings.
 */
const amount = z.union([z.number(), z.string()]).nullish();

export const ozzobitOrderSchema = z.object({
  id: z.string().min(1),
  status: z.string().min(1),
  cryptoCurrency: z.string().nullish(),
  cryptoAmount: amount,
  network: z.string().nullish(),
  transactionHash: z.string().nullish(),
});

export type OzzobitOrder = z.infer<typeof ozzobitOrderSchema>;

/** Error bodies: `{ error: { statusCode, name, message } }`; read only for a better message. */
export const ozzobitErrorSchema = z.object({
  error: z.object({ message: z.string().nullish() }).nullish(),
  message: z.string().nullish(),
});
