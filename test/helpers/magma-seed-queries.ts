/**
 * The two queries of the Magma tracking doc (seed 000), verbatim, so tests and demos ask the
 * simulator exactly what the doc tells integrators to ask the real API.
 */
export const SEED_GET_ORDER_QUERY = /* GraphQL */ `
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
