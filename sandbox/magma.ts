/**
 * Magma (Amboss) simulator: its GraphQL endpoint over real HTTP on 127.0.0.1, answering the seed's
 * GetOrder and ListPurchases queries from scripted orders, with switchable faults and a request log,
 * plus the `/_sandbox/` control API (see control-api.ts) on the same port.
 *
 * GraphQL over HTTP as an Apollo-style server does it: POST JSON `{ query, variables?,
 * operationName? }` to /graphql; a query that can't be parsed or validated gets HTTP 400 and
 * `errors` coded GRAPHQL_PARSE_FAILED / GRAPHQL_VALIDATION_FAILED; field errors (an unknown order)
 * come with HTTP 200 beside the data. Credentials: exactly `Authorization: Bearer <apiKey>`, else
 * HTTP 401 with an UNAUTHENTICATED error.
 */
import type { IncomingMessage } from 'node:http';
import { graphql, Kind, parse, visit } from 'graphql';
import type { DocumentNode, GraphQLError } from 'graphql';
import { z } from 'zod';
import { handleControlRequest, isControlRequest, simulatorHandle } from './control-api';
import { FaultBoard } from './faults';
import type { Fault } from './faults';
import { BodyTooLargeError, readBody, requestUrl, serveExchange, startHttpServer } from './http-server';
import type { Exchange, ProviderFormat, Reply } from './http-server';
import { magmaRootValue, magmaSchema } from './magma-schema';
import type { MagmaContext, MagmaOrderScript } from './magma-schema';
import { OrderBook } from './order-book';
import { RequestLog } from './request-log';
import type { ProviderSimulator, SimulatorOptions } from './request-log';
import { orderScriptSchema } from './scenario';
import type { ShapeVariant } from './shape-variant';

export type { MagmaOrderScript } from './magma-schema';

export interface MagmaSandboxOptions extends SimulatorOptions {
  apiKey: string;
}

export type MagmaSandbox = ProviderSimulator<MagmaOrderScript, Fault>;

export const MAGMA_GRAPHQL_PATH = '/graphql';

const magmaScriptSchema = orderScriptSchema.extend({ side: z.enum(['purchase', 'sale']).optional() });

const graphqlRequestSchema = z.object({
  query: z.string(),
  variables: z.record(z.unknown()).nullish(),
  operationName: z.string().nullish(),
});

function errorsBody(message: string, code: string) {
  return { errors: [{ message, extensions: { code } }] };
}

const magmaFormat: ProviderFormat = {
  errorBody: (httpStatus, message) =>
    errorsBody(message, httpStatus === 429 ? 'TOO_MANY_REQUESTS' : 'INTERNAL_SERVER_ERROR'),
  unauthorizedBody: () => errorsBody('Not authenticated: invalid or missing API key', 'UNAUTHENTICATED'),
  schemaDriftBody: (orderId) => ({
    data: {
      user: {
        market: {
          orders: {
            // No status, and the other fields in types a strict client must not accept.
            get_order: {
              id: orderId ?? 'unknown',
              state: 'WAITING_FOR_ON_CHAIN_CONFIRMATION',
              payment_status: 42,
              channel_id: false,
              transaction_id: ['5e8a3f'],
              timeout: 1781116920,
              blocks_until_can_be_closed: 'soon',
              confirmations: { confirmations: 'two' },
              fees: { buyer: { sats: 12500, usd: 5.62 } },
            },
            purchases: { list: [{ id: 7, created_at: 0, amount: 'lots' }], total: '1' },
          },
        },
      },
    },
  }),
};

export async function startMagmaSandbox(options: MagmaSandboxOptions): Promise<MagmaSandbox> {
  if (options.apiKey === '') throw new Error('startMagmaSandbox needs a non-empty apiKey');
  const orders = new OrderBook<MagmaOrderScript>(options.timeScale ?? 1);
  const faults = new FaultBoard();
  const log = new RequestLog();
  const rootValue = magmaRootValue(orders, options.shape ?? 'seed');
  const addOrder = (script: unknown): void => orders.add(magmaScriptSchema.parse(script), Date.now());

  const server = await startHttpServer(async (request, response, signal) => {
    if (isControlRequest(request)) return handleControlRequest({ addOrder, faults, log }, request, response);
    const exchange = await magmaExchange(request, options.apiKey, async (graphqlRequest) => {
      const context: MagmaContext = { now: Date.now(), answeredOrderIds: new Set(), listedOrderIds: [] };
      const reply = await executeGraphql(graphqlRequest, rootValue, context);
      if (context.listedOrderIds !== undefined && context.listedOrderIds.length > 0) reply.listed = context.listedOrderIds;
      // Counted after execution, once per HTTP request: aliases asking for the same order twice
      // must not see two different steps in one answer.
      for (const orderId of context.answeredOrderIds) orders.recordAnswer(orderId, context.now);
      return reply;
    });
    await serveExchange({ faults, log, format: magmaFormat }, response, exchange, signal);
  }, options.port);

  return simulatorHandle(server.url, `${server.url}${MAGMA_GRAPHQL_PATH}`, { addOrder, faults, log, close: () => server.close() });
}

interface GraphqlRequest {
  query: string;
  variables: Record<string, unknown>;
  operationName?: string;
  /** Undefined when the query does not parse; graphql() then reports the syntax error itself. */
  document?: DocumentNode;
}

/** Reads and inspects the request before faults and credentials are checked, so both can be logged per order. */
async function magmaExchange(
  request: IncomingMessage,
  apiKey: string,
  execute: (graphqlRequest: GraphqlRequest) => Promise<Reply>,
): Promise<Exchange> {
  const arrivedAt = Date.now();
  const authorized = request.headers.authorization === `Bearer ${apiKey}`;
  const { pathname } = requestUrl(request);
  const route = `${request.method} ${pathname}`;
  if (pathname !== MAGMA_GRAPHQL_PATH) {
    return { arrivedAt, operation: route, authorized: true, answer: () => reply(404, errorsBody(`No route ${route}`, 'NOT_FOUND')) };
  }
  if (request.method !== 'POST') {
    const answer = () => ({ ...reply(405, errorsBody('Use POST', 'METHOD_NOT_ALLOWED')), headers: { Allow: 'POST' } });
    return { arrivedAt, operation: route, authorized, answer };
  }
  let body: unknown;
  try {
    body = JSON.parse(await readBody(request));
  } catch (error) {
    const tooLarge = error instanceof BodyTooLargeError;
    const answer = () => reply(tooLarge ? 413 : 400, errorsBody(tooLarge ? error.message : 'Body is not JSON', 'BAD_REQUEST'));
    return { arrivedAt, operation: 'invalid_request', authorized, answer };
  }
  const parsed = graphqlRequestSchema.safeParse(body);
  if (!parsed.success) {
    const answer = () => reply(400, errorsBody('POST body must be JSON with a "query" string', 'BAD_REQUEST'));
    return { arrivedAt, operation: 'invalid_request', authorized, answer };
  }
  const graphqlRequest: GraphqlRequest = {
    query: parsed.data.query,
    variables: parsed.data.variables ?? {},
    ...(parsed.data.operationName != null && { operationName: parsed.data.operationName }),
    document: tryParse(parsed.data.query),
  };
  const { operation, orderId } = describeOperation(graphqlRequest);
  return { arrivedAt, operation, ...(orderId !== undefined && { orderId }), authorized, answer: () => execute(graphqlRequest) };
}

function reply(httpStatus: number, body: unknown): Reply {
  return { httpStatus, body };
}

function tryParse(query: string): DocumentNode | undefined {
  try {
    return parse(query);
  } catch {
    return undefined;
  }
}

const ORDER_FIELDS = new Set(['get_order', 'purchases', 'sales']);

/** Names the request by the order fields it selects (not the client's operation name) and finds its order id. */
function describeOperation(graphqlRequest: Pick<GraphqlRequest, 'document' | 'variables'>): {
  operation: string;
  orderId?: string;
} {
  if (graphqlRequest.document === undefined) return { operation: 'invalid_query' };
  const fields = new Set<string>();
  let orderId: string | undefined;
  visit(graphqlRequest.document, {
    Field(node) {
      if (!ORDER_FIELDS.has(node.name.value)) return;
      fields.add(node.name.value);
      const argument = node.arguments?.find((candidate) => candidate.name.value === 'order_id');
      if (argument?.value.kind === Kind.STRING) orderId ??= argument.value.value;
      if (argument?.value.kind === Kind.VARIABLE) {
        const value = graphqlRequest.variables[argument.value.name.value];
        if (typeof value === 'string') orderId ??= value;
      }
    },
  });
  return { operation: fields.size > 0 ? [...fields].join('+') : 'other', ...(orderId !== undefined && { orderId }) };
}

async function executeGraphql(graphqlRequest: GraphqlRequest, rootValue: unknown, context: MagmaContext): Promise<Reply> {
  const result = await graphql({
    schema: magmaSchema,
    source: graphqlRequest.query,
    rootValue,
    contextValue: context,
    variableValues: graphqlRequest.variables,
    operationName: graphqlRequest.operationName,
  });
  if (result.data !== undefined) return reply(200, result);
  // No data at all: the request itself was bad (syntax, validation, variables), not one field.
  const code = graphqlRequest.document === undefined ? 'GRAPHQL_PARSE_FAILED' : 'GRAPHQL_VALIDATION_FAILED';
  return reply(400, { errors: (result.errors ?? []).map((error) => withCode(error, code)) });
}

function withCode(error: GraphQLError, code: string) {
  const json = error.toJSON();
  return { ...json, extensions: { code, ...json.extensions } };
}
