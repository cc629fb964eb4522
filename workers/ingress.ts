import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { TemporalUnreachableError } from '../client/connect';
import { OrderNotFoundError, type OrderTracker } from '../client/order-tracker';
import { parseDuration } from '../common/duration';
import { InvalidInputError, parseProvider } from '../common/order-input';
import { withIncomingContext } from '../common/tracing';
import { parseHistoryLimit, readOrderHistory } from '../client/order-history';
import type { AnswerStore } from '../storage/ledger/provider-answers';
import { DEFAULT_FLOOD_LIMITS, type FloodLimits, installFloodControl } from './ingress-flood';
import type { PushChannelHealth } from './push/push-channel-monitor';
import { type PushReporting, prefixedConsoleLogger } from '../providers/push/push-logger';
import { type IngressTracker, TEMPORAL_RETRY_AFTER_SECONDS, isTemporalUnreachable } from './temporal-deadline';

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

/**
 * Order ids are up to 128 characters (`:` percent-encoded as `%3A` takes three): Fastify's default
 * of 100 answered 414 to GET and cancel of ids it had accepted in POST /orders (issue 29, R5).
 */
const MAX_PARAMETER_LENGTH = 3 * 128;

export interface IngressOptions {
  /** Through boundedTracker (temporal-deadline.ts) in `order-tracker ingress`: every call within its deadline. */
  tracker: IngressTracker | OrderTracker;
  /** When set, the HTTP API requires `Authorization: Bearer <token>` (webhooks are checked by signature). */
  token?: string;
  /** Adds provider webhook routes (see workers/push/); each verifies its own signature. */
  webhooks?: ((app: FastifyInstance) => void)[];
  /** INGRESS_REQUEST_TIMEOUT_MS and INGRESS_CONNECTION_TIMEOUT_MS unless a test shortens them. */
  timeouts?: IngressTimeouts;
  /** Where each push channel stands (push-channel-monitor.ts), shown by /healthz. */
  pushChannels?: () => PushChannelHealth;
  /** Connections and requests per client (ingress-flood.ts); DEFAULT_FLOOD_LIMITS unless a test changes them. */
  floodLimits?: FloodLimits;
  /** Where refusals are logged and counted; readable console lines and no counts without it. */
  reporting?: PushReporting;
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

/** `GET /orders`: one row per order (its latest run), filtered, a page at a time. */
const listQuerySchema = z
  .object({
    provider: z.string().optional(),
    status: z.string().optional(),
    outcome: z.enum(['succeeded', 'failed', 'timed_out', 'tracking_cancelled']).optional(),
    limit: z.coerce.number().int().min(1).max(1_000).optional(),
    pageToken: z.string().optional(),
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
  if (error instanceof TemporalUnreachableError || isTemporalUnreachable(error)) {
    // The provider (or backend) should try again: the order is not harmed, only not reached yet.
    const message = error instanceof TemporalUnreachableError ? error.message : 'Temporal is unreachable';
    return reply.code(503).header('retry-after', String(TEMPORAL_RETRY_AFTER_SECONDS)).send({ error: message });
  }
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return reply.code(status).send({ error: (error as Error).message });
  }
  reply.log.error({ err: error }, 'ingress request failed');
  return reply.code(500).send({ error: 'internal error; see the ingress log' });
}

/**
 * The ingress: provider webhooks and the HTTP API for backends not written in TypeScript
 * (`POST /orders`, `GET /orders`, `GET /orders/:provider/:orderId`, `GET /orders/:provider/:orderId/history`,
 * `POST /orders/:provider/:orderId/cancel`, `GET /healthz`). Every route answers JSON; none touches a workflow on bad input.
 */
export function buildIngress(options: IngressOptions): FastifyInstance {
  const timeouts = options.timeouts ?? { requestMs: INGRESS_REQUEST_TIMEOUT_MS, connectionMs: INGRESS_CONNECTION_TIMEOUT_MS };
  const app = Fastify({
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: MAX_PARAMETER_LENGTH },
    logger: false,
    requestTimeout: timeouts.requestMs,
    connectionTimeout: timeouts.connectionMs,
    // Node checks request timeouts every 30 s by default, which would double a 30 s limit.
    http: { connectionsCheckingInterval: Math.max(50, Math.floor(timeouts.requestMs / 4)) },
  });
  const { tracker, token } = options;
  const logger = options.reporting === undefined ? prefixedConsoleLogger('ingress') : options.reporting.logger;
  installFloodControl(app, options.floodLimits ?? DEFAULT_FLOOD_LIMITS, logger, options.reporting?.meter);

  app.setErrorHandler((error, _request, reply) => sendError(reply, error));
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `no route ${request.method} ${request.url}` }));

  // The ingress answers as long as it runs; a push channel that is down is named, not fatal. Why it
  // is down (an error naming settings) is for those who hold the token (issue 29, R13).
  app.get('/healthz', async (request) => {
    const channels = options.pushChannels?.();
    if (channels === undefined) return { ok: true };
    const trusted = token === undefined || tokenMatches(request.headers.authorization, token);
    return { ok: true, pushChannels: trusted ? channels : withoutReasons(channels) };
  });

  app.register(async (api) => {
    api.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      if (token !== undefined && !tokenMatches(request.headers.authorization, token)) {
        return reply.code(401).send({ error: 'missing or wrong bearer token (INGRESS_TOKEN)' });
      }
      // Without a token, a state-changing request must be JSON: a web page can send a body-less or
      // text/plain POST to 127.0.0.1 without asking, but a JSON one only after a CORS preflight that
      // the ingress never grants, so no page can cancel or start tracking (issue 29, R6).
      if (token === undefined && request.method === 'POST' && !isJson(request.headers['content-type'])) {
        return reply.code(415).send({ error: 'a POST to the HTTP API needs Content-Type: application/json (send {} for no fields), or set INGRESS_TOKEN' });
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

    api.get('/orders', async (request, reply) => {
      const parsed = listQuerySchema.safeParse(request.query);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'query'}: ${issue.message}`);
        return reply.code(400).send({ error: `invalid list query: ${problems.join('; ')}` });
      }
      const { provider, ...rest } = parsed.data;
      return tracker.listPage({ ...rest, provider: provider === undefined ? undefined : parseProvider(provider) });
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

function isJson(contentType: string | undefined): boolean {
  return /^application\/json\s*(;|$)/i.test(contentType ?? '');
}

/** Each channel's state and since, without the reason (it names settings and errors). */
function withoutReasons(health: PushChannelHealth): Record<string, Record<string, { state: string; since: string }>> {
  return Object.fromEntries(
    Object.entries(health).map(([provider, channels]) => [
      provider,
      Object.fromEntries(Object.entries(channels ?? {}).map(([channel, report]) => [channel, { state: report.state, since: report.since }])),
    ]),
  );
}
