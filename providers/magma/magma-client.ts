import { ClientError, GraphQLClient } from 'graphql-request';
import type { Observation } from '../../domain/types';
import { boundedFetch } from '../bounded-fetch';
import { networkFailure } from '../http-failure';
import { type ProviderClock, SYSTEM_CLOCK } from '../provider-clock';
import type { ListCursor, ListPage, ProviderAdapter } from '../provider';
import { ProviderCallError, kindForHttpStatus, parseRetryAfter } from '../provider-error';
import { describeSchemaIssues } from '../schema-issues';
import { countUnrecognisedStatus } from '../status-attention';
import { withAnswer } from '../provider-answer';
import { toObservation } from '../status-class';
import { MAGMA_GET_ORDER_QUERY, type MagmaOrder, graphqlErrorsSchema, magmaGetOrderSchema } from './magma-schema';
import { listMagmaPage, type MagmaSide } from './magma-list';
import { classifyMagmaStatus, nextMagmaWait } from './magma-status';

export interface MagmaSettings {
  /** The full GraphQL endpoint. */
  url: string;
  apiKey: string;
  /** One request's limit; the activity's own timeout is longer. */
  requestTimeoutMs?: number;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;
/** The list's largest page: one request answers for up to this many orders. */
const LIST_PAGE_LIMIT = 100;

/**
 * A list sweep reads the buyer's side (`purchases`) and then the seller's (`sales`): an account is
 * usually one of them, and the other's first page is one short answer.
 */
async function magmaListPage(settings: MagmaSettings, clock: ProviderClock, cursor: ListCursor | null, signal?: AbortSignal): Promise<ListPage> {
  const side: MagmaSide = cursor?.side === 'sales' ? 'sales' : 'purchases';
  const offset = typeof cursor?.offset === 'number' ? cursor.offset : 0;
  const { orders, total } = await listMagmaPage(settings, side, { limit: LIST_PAGE_LIMIT, offset }, signal);
  const now = Date.now();
  const listed = orders.map((order) => {
    const info = classifyMagmaStatus(order.status);
    // The list shows no `timeout`: the status table's cadence, and the details come from a poll.
    const createdAt = order.createdAt === null ? Number.NaN : Date.parse(order.createdAt);
    return {
      orderId: order.id,
      observation: toObservation(order.status, info, clock.wallWait(nextMagmaWait(order.status, null, now)), {}),
      complete: false,
      createdAt: Number.isFinite(createdAt) ? createdAt : null,
    };
  });
  const sideHasMore = orders.length === LIST_PAGE_LIMIT && offset + orders.length < (total ?? Number.POSITIVE_INFINITY);
  const next = sideHasMore ? { side, offset: offset + orders.length } : side === 'purchases' ? { side: 'sales', offset: 0 } : null;
  return { orders: listed, next };
}

export function toMagmaObservation(order: MagmaOrder, now: number, clock: ProviderClock = SYSTEM_CLOCK): Observation {
  const info = classifyMagmaStatus(order.status);
  const nextWaitMs = clock.wallWait(nextMagmaWait(order.status, clock.providerTime(order.timeout, now), now));
  return toObservation(order.status, info, nextWaitMs, {
    payment_status: order.payment_status ?? null,
    transaction_id: order.transaction_id ?? null,
    confirmations: order.confirmations?.confirmations ?? null,
    channel_id: order.channel_id ?? null,
    timeout: order.timeout ?? null,
  });
}

/** GraphQL errors in a 200 answer: Magma reports refused keys and unknown orders this way too. */
function errorFromGraphqlErrors(errors: unknown, orderId: string): ProviderCallError | undefined {
  const parsed = graphqlErrorsSchema.safeParse(errors);
  if (!parsed.success || !parsed.data || parsed.data.length === 0) return undefined;
  const codes = parsed.data.map((error) => error.extensions?.code ?? '');
  const message = parsed.data.map((error) => error.message ?? 'unknown error').join('; ');
  if (codes.some((code) => code === 'UNAUTHENTICATED' || code === 'FORBIDDEN')) {
    return new ProviderCallError('credentials_refused', `Magma refused the API key: ${message}`);
  }
  if (codes.includes('NOT_FOUND')) return new ProviderCallError('not_found', `Magma has no order ${orderId}: ${message}`);
  return new ProviderCallError('unavailable', `Magma answered with errors: ${message}`);
}

function errorFromClientError(error: ClientError, orderId: string): ProviderCallError {
  const status = error.response.status;
  const headers = (error.response as { headers?: { get(name: string): string | null } }).headers;
  if (status >= 200 && status < 300) {
    return (
      errorFromGraphqlErrors(error.response.errors, orderId) ??
      new ProviderCallError('invalid_response', `Magma answered ${status} without data`, { httpStatus: status })
    );
  }
  const kind = kindForHttpStatus(status);
  const retryAfterMs = parseRetryAfter(headers?.get('retry-after'), Date.now());
  const reason = kind === 'credentials_refused' ? 'refused the API key' : `answered HTTP ${status}`;
  return new ProviderCallError(kind, `Magma ${reason}`, { httpStatus: status, retryAfterMs });
}

export function createMagmaAdapter(settings: MagmaSettings, clock: ProviderClock = SYSTEM_CLOCK): ProviderAdapter {
  const timeoutMs = settings.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return {
    name: 'magma',
    listPage: (cursor, signal) => magmaListPage(settings, clock, cursor, signal),
    async fetchOrder(orderId: string, signal?: AbortSignal): Promise<Observation> {
      const timeout = AbortSignal.timeout(timeoutMs);
      const client = new GraphQLClient(settings.url, {
        headers: { Authorization: `Bearer ${settings.apiKey}` },
        fetch: boundedFetch('Magma'),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        errorPolicy: 'all',
      });
      let response: { data?: unknown; errors?: unknown };
      try {
        response = await client.rawRequest<unknown>(MAGMA_GET_ORDER_QUERY, { orderId });
      } catch (error) {
        if (error instanceof ClientError) throw errorFromClientError(error, orderId);
        if (error instanceof ProviderCallError) throw error; // an answer over the size cap
        throw networkFailure('Magma', error);
      }
      const parsed = magmaGetOrderSchema.safeParse(response.data);
      const order = parsed.success ? parsed.data.user.market.orders.get_order : undefined;
      if (order === null || order === undefined) {
        const graphqlError = errorFromGraphqlErrors(response.errors, orderId);
        if (graphqlError) throw graphqlError;
        if (order === null) throw new ProviderCallError('not_found', `Magma has no order ${orderId}`);
      }
      if (!parsed.success || !order) {
        const issues = parsed.success ? 'get_order missing' : describeSchemaIssues(parsed.error);
        throw new ProviderCallError('invalid_response', `Magma answer did not match the schema: ${issues}`);
      }
      // The whole answer stays beside the observation for the audit trail (provider-answer.ts).
      return withAnswer(countUnrecognisedStatus('magma', toMagmaObservation(order, Date.now(), clock)), { data: response.data, ...(response.errors !== undefined && { errors: response.errors }) });
    },
  };
}
