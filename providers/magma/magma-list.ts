import { ClientError, GraphQLClient } from 'graphql-request';
import { boundedFetch } from '../bounded-fetch';
import { z } from 'zod';
import { providerStatus } from '../provider-status';
import { networkFailure } from '../http-failure';
import { ProviderCallError, kindForHttpStatus, parseRetryAfter } from '../provider-error';
import { describeSchemaIssues } from '../schema-issues';
import type { MagmaSettings } from './magma-client';
import { classifyMagmaStatus } from './magma-status';

export type MagmaSide = 'purchases' | 'sales';

/** The seed's ListPurchases query, with the side and the page as variables. */
function listQuery(side: MagmaSide): string {
  return /* GraphQL */ `
    query ListOrders($limit: Int!, $offset: Int!) {
      user {
        market {
          orders {
            ${side}(page: { limit: $limit, offset: $offset }) {
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
}

const listedOrderSchema = z.object({
  id: z.string().min(1),
  status: providerStatus,
  created_at: z.string().nullish(),
  amount: z.object({ satoshi: z.object({ sats: z.string().nullish(), usd: z.string().nullish() }).nullish() }).nullish(),
});

function listResponseSchema(side: MagmaSide) {
  return z.object({
    user: z.object({
      market: z.object({
        orders: z.object({ [side]: z.object({ list: z.array(listedOrderSchema), total: z.number().nullish() }) }),
      }),
    }),
  });
}

export interface MagmaListedOrder {
  id: string;
  status: string;
  /** False for a status in the seed's terminal sets: nothing left to track. */
  inFlight: boolean;
  createdAt: string | null;
  amountSats: string | null;
}

/** One page of the seed's `purchases` (buyer) or `sales` (seller) list, newest first, with its total. */
export async function listMagmaPage(
  settings: MagmaSettings,
  side: MagmaSide,
  page: { limit: number; offset?: number },
  signal?: AbortSignal,
): Promise<{ orders: MagmaListedOrder[]; total: number | null }> {
  const timeout = AbortSignal.timeout(settings.requestTimeoutMs ?? 20_000);
  const client = new GraphQLClient(settings.url, {
    headers: { Authorization: `Bearer ${settings.apiKey}` },
    fetch: boundedFetch('Magma'),
    signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
  });
  let data: unknown;
  try {
    data = await client.request<unknown>(listQuery(side), { limit: page.limit, offset: page.offset ?? 0 });
  } catch (error) {
    if (error instanceof ClientError) {
      const status = error.response.status;
      const headers = (error.response as { headers?: { get(name: string): string | null } }).headers;
      const kind = status >= 200 && status < 300 ? 'invalid_response' : kindForHttpStatus(status);
      throw new ProviderCallError(kind, `Magma ${side} list failed: HTTP ${status}`, {
        httpStatus: status,
        retryAfterMs: parseRetryAfter(headers?.get('retry-after'), Date.now()),
      });
    }
    if (error instanceof ProviderCallError) throw error; // an answer over the size cap
    throw networkFailure('Magma', error);
  }
  const parsed = listResponseSchema(side).safeParse(data);
  if (!parsed.success) {
    throw new ProviderCallError('invalid_response', `Magma ${side} list did not match the schema: ${describeSchemaIssues(parsed.error)}`);
  }
  const { list, total } = parsed.data.user.market.orders[side] as { list: z.infer<typeof listedOrderSchema>[]; total?: number | null };
  const orders = list.map((order) => ({
    id: order.id,
    status: order.status,
    inFlight: classifyMagmaStatus(order.status).phase === 'in_flight',
    createdAt: order.created_at ?? null,
    amountSats: order.amount?.satoshi?.sats ?? null,
  }));
  return { orders, total: total ?? null };
}
