/**
 * The two queries of the Magma tracking doc (seed 000), verbatim, so tests and demos ask the
 * simulator exactly what the doc tells integrators to ask the real API.
 */
import { MAGMA_GET_ORDER_QUERY } from '../../providers/magma/magma-schema';

/** The product asks the doc's GetOrder query verbatim (providers/magma/magma-schema.ts): the same text. */
export const SEED_GET_ORDER_QUERY = MAGMA_GET_ORDER_QUERY;

export const SEED_LIST_PURCHASES_QUERY = /* GraphQL */ `
  query ListPurchases {
    user {
      market {
        orders {
          purchases(page: { limit: 20, offset: 0 }) {
            list {
              id
              status
              created_at
              amount { satoshi { sats usd } }
            }
            total
          }
        }
      }
    }
  }
`;

/** The response shape of SEED_GET_ORDER_QUERY, as loosely as the sandbox may send it. */
export interface SeedGetOrderResponse {
  user: { market: { orders: { get_order: Record<string, unknown> | null } } };
}

export interface SeedListPurchasesResponse {
  user: { market: { orders: { purchases: { list: Record<string, unknown>[]; total: number } } } };
}
