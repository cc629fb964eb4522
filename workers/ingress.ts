import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { TemporalUnreachableError } from '../client/connect';
import { OrderNotFoundError, type OrderTracker } from '../client/order-tracker';
import { parseDuration } from '../common/duration';
import { InvalidInputError } from '../common/order-input';
import { withIncomingContext } from '../common/tracing';
import { parseHistoryLimit, readOrderHistory } from '../client/order-history';
import type { AnswerStore } from '../ledger/provider-answers';

/** One request body is an order or a webhook: anything bigger is not one. */
const BODY_LIMIT_BYTES = 256 * 1024;
/**
 * The ingress may face the internet (INGRESS_HOST=0.0.0.0): a client that sends its request slowly
 * (slowloris) or opens a socket and says nothing must not hold a connection forever. An order or a
 * webhook is a few hundred bytes, so 30 s to send one is generous.
 */
export const INGRESS_REQUEST_TIMEOUT_MS = 30_000;
/** A socket with no traffic at all (idle keep-alive included) is closed after this. */
export const INGRESS_CONNECTION_TIMEOUT_MS = 60_000;

export interface IngressTimeouts {
  /** Fastify `requestTimeout`: the whole request (headers and body) must arrive within this. */
  requestMs: number;
  /** Fastify `connectionTimeout`: a socket idle this long is closed. */
  connectionMs: number;
}

export interface IngressOptions {
  tracker: OrderTracker;
  /** When set, the HTTP API requires `Authorization: Bearer <token>` (webhooks are checked by signature). */
  token?: string;
  /** Adds provider webhook routes (see workers/push/); each verifies its own signature. */
  webhooks?: ((app: FastifyInstance) => void)[];
  /** INGRESS_REQUEST_TIMEOUT_MS and INGRESS_CONNECTION_TIMEOUT_MS unless a test shortens them. */
  timeouts?: IngressTimeouts;
  /** Where each push channel stands (push-channel-monitor.ts), shown by /healthz. */
  pushChannels?: () => unknown;
  /** The audit trail (the ledger), for `GET /orders/:provider/:orderId/history`; no such route without it. */
  answers?: Pick<AnswerStore, 'answers'>;
}

const trackBodySchema = z
  .object({
    provider: z.string(),
    orderId: z.string(),
    /** A duration (`90s`, `30m`, `2h`) or milliseconds. */
    maxWait: z.union([z.string(), z.number()]).optional(),
    reference: z.string().optional(),
  })
  .strict();

function tokenMatches(header: string | undefined, token: string): boolean {
  const expected = Buffer.from(`Bearer ${token}`);
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function parseMaxWait(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const milliseconds = typeof value === 'number' ? value : parseDuration(value);
  if (milliseconds === undefined || !Number.isFinite(milliseconds) || milliseconds <= 0) {
    throw new InvalidInputError(`invalid maxWait ${JSON.stringify(value)}: use a positive duration like 90s, 30m or 2h, or milliseconds`);
  }
  return milliseconds;
}

/** Errors as JSON naming the problem, with the status code a client can act on. */
function sendError(reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof InvalidInputError) return reply.code(400).send({ error: error.message });
  if (error instanceof OrderNotFoundError) return reply.code(404).send({ error: error.message });
  if (error instanceof TemporalUnreachableError) return reply.code(503).send({ error: error.message });
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return reply.code(status).send({ error: (error as Error).message });
  }
  reply.log.error({ err: error }, 'ingress request failed');
  return reply.code(500).send({ error: 'internal error; see the ingress log' });
}

/**
 * The ingress: provider webhooks and the HTTP API for backends not written in TypeScript
 * (`POST /orders`, `GET /orders/:provider/:orderId`, `GET /orders/:provider/:orderId/history`,
 * `POST /orders/:provider/:orderId/cancel`, `GET /healthz`). Every route answers JSON; none touches a workflow on bad input.
 */
export function buildIngress(options: IngressOptions): FastifyInstance {
  const timeouts = options.timeouts ?? { requestMs: INGRESS_REQUEST_TIMEOUT_MS, connectionMs: INGRESS_CONNECTION_TIMEOUT_MS };
  const app = Fastify({
    bodyLimit: BODY_LIMIT_BYTES,
    logger: false,
    requestTimeout: timeouts.requestMs,
    connectionTimeout: timeouts.connectionMs,
    // Node checks request timeouts every 30 s by default, which would double a 30 s limit.
    http: { connectionsCheckingInterval: Math.max(50, Math.floor(timeouts.requestMs / 4)) },
  });
  const { tracker, token } = options;

  app.setErrorHandler((error, _request, reply) => sendError(reply, error));
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `no route ${request.method} ${request.url}` }));

  // The ingress answers as long as it runs; a push channel that is down is named, not fatal.
  app.get('/healthz', async () => ({ ok: true, ...(options.pushChannels && { pushChannels: options.pushChannels() }) }));

  app.register(async (api) => {
    api.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      if (token !== undefined && !tokenMatches(request.headers.authorization, token)) {
        return reply.code(401).send({ error: 'missing or wrong bearer token (INGRESS_TOKEN)' });
      }
    });

    api.post('/orders', async (request, reply) => {
      const parsed = trackBodySchema.safeParse(request.body);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
        return reply.code(400).send({ error: `invalid order: ${problems.join('; ')}` });
      }
      const { provider, orderId, maxWait, reference } = parsed.data;
      // A caller's `traceparent` is linked from the order's trace (common/tracing.ts).
      const response = await withIncomingContext(request.headers, () => tracker.track(provider, orderId, { maxWaitMs: parseMaxWait(maxWait), reference }));
      return reply.code(response.kind === 'tracking' ? 202 : 200).send(response);
    });

    api.get<{ Params: { provider: string; orderId: string } }>('/orders/:provider/:orderId', async (request) => {
      return tracker.progress(request.params.provider, request.params.orderId);
    });

    const { answers } = options;
    if (answers !== undefined) {
      api.get<{ Params: { provider: string; orderId: string }; Querystring: Record<string, unknown> }>('/orders/:provider/:orderId/history', async (request) => {
        const unknown = Object.keys(request.query).filter((name) => name !== 'limit');
        if (unknown.length > 0) throw new InvalidInputError(`unknown query parameter ${unknown.join(', ')}: only limit`);
        return readOrderHistory(answers, request.params.provider, request.params.orderId, parseHistoryLimit(request.query.limit, 'limit'));
      });
    }

    api.post<{ Params: { provider: string; orderId: string } }>('/orders/:provider/:orderId/cancel', async (request, reply) => {
      const reason = (request.body as { reason?: unknown } | undefined)?.reason;
      await tracker.cancel(request.params.provider, request.params.orderId, typeof reason === 'string' ? reason.slice(0, 256) : undefined);
      return reply.code(202).send({ cancelled: true });
    });
  });

  for (const register of options.webhooks ?? []) app.register(async (scope) => register(scope));
  return app;
}
