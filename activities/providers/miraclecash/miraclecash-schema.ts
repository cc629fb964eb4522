import { z } from 'zod';

/**
 * The seed's `PaymentStatus` (GET /external/payments/prompt/:id), minimal: only what we read, and
 * `.nullish()` so a field MiracleCash adds or drops breaks nothing. Only `status` is required.
 */
export const miracleCashPaymentSchema = z.object({
  id: z.string().nullish(),
  blockchainId: z.string().nullish(),
  status: z.string().min(1),
  createdAt: z.string().nullish(),
});

export type MiracleCashPayment = z.infer<typeof miracleCashPaymentSchema>;

/** Error bodies look NestJS-made (`{ statusCode, message, error }`); read only for a better message. */
export const miracleCashErrorSchema = z.object({
  message: z.union([z.string(), z.array(z.string())]).nullish(),
});
