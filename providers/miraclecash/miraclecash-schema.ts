import { z } from 'zod';
import { displayField } from '../display-field';
import { providerStatus } from '../provider-status';

const PROVIDER = 'MiracleCash';

/**
 * The seed's `PaymentStatus` (GET /external/payments/prompt/:id), minimal: only what we read, and
 * `.nullish()` so a field MiracleCash adds or drops breaks nothing. Only `status` is required, at
 * most 64 characters (provider-status.ts).
 */
export const miracleCashPaymentSchema = z.object({
  id: z.string().nullish(),
  // Display-only (`createdAt` also places polls by the payment's age): another type becomes null, logged.
  blockchainId: displayField(PROVIDER, 'blockchainId', z.string().nullish()),
  status: providerStatus,
  createdAt: displayField(PROVIDER, 'createdAt', z.string().nullish()),
});

export type MiracleCashPayment = z.infer<typeof miracleCashPaymentSchema>;

/** Error bodies look NestJS-made (`{ statusCode, message, error }`); read only for a better message. */
export const miracleCashErrorSchema = z.object({
  message: z.union([z.string(), z.array(z.string())]).nullish(),
});
