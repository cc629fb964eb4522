import { z } from 'zod';

/**
 * A provider's status word. It becomes the `OrderStatus` search attribute and a transition in
 * history, so it is bounded: the seeds' statuses are short enum words, and an oversize value would
 * fail the workflow task that upserts it. A longer one is an invalid answer naming the field.
 */
export const MAX_PROVIDER_STATUS_LENGTH = 64;

export const providerStatus = z
  .string()
  .min(1)
  .max(MAX_PROVIDER_STATUS_LENGTH, `status longer than ${MAX_PROVIDER_STATUS_LENGTH} characters`);
