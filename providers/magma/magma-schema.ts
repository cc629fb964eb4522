import { z } from 'zod';
import { providerStatus } from '../provider-status';

/** Minimal: only what we read; `.nullish()` so a field Magma adds or drops breaks nothing. */
export const magmaOrderSchema = z.object({
  id: z.string(),
  // A status is a short enum word; anything longer is not a status the workflow should carry.
  status: providerStatus,
  payment_status: z.string().nullish(),
  channel_id: z.string().nullish(),
  transaction_id: z.string().nullish(),
  timeout: z.string().nullish(),
  blocks_until_can_be_closed: z.number().nullish(),
  confirmations: z.object({ confirmations: z.number().nullish() }).nullish(),
});

export const magmaGetOrderSchema = z.object({
  user: z.object({
    market: z.object({ orders: z.object({ get_order: magmaOrderSchema.nullish() }) }),
  }),
});

export type MagmaOrder = z.infer<typeof magmaOrderSchema>;

/** GraphQL errors as the seed's API returns them; `extensions.code` tells auth from not-found. */
export const graphqlErrorsSchema = z
  .array(z.object({ message: z.string().nullish(), extensions: z.object({ code: z.string().nullish() }).passthrough().nullish() }).passthrough())
  .nullish();

/** The seed's GetOrder query, verbatim (the sandbox tests ask the simulator with it too). */
export const MAGMA_GET_ORDER_QUERY = /* GraphQL */ `
  query GetOrder($orderId: String!) {
    user {
      market {
        orders {
          get_order(order_id: $orderId) {
            id
            status
            payment_status
            channel_id
            transaction_id
            timeout
            blocks_until_can_be_closed
            confirmations { confirmations }
            fees {
              buyer { sats usd }
            }
          }
        }
      }
    }
  }
`;
