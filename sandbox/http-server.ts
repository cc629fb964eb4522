/**
 * HTTP plumbing shared by the provider simulators: a server on 127.0.0.1, JSON replies, bounded
 * body reading, and `serveExchange`, the one path every provider request takes
 * (fault → credentials → answer → log) so all simulators fail and log the same way.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Fault, FaultBoard } from './faults';
import type { RequestLog } from './request-log';

export type RequestHandler = (request: IncomingMessage, response: ServerResponse, signal: AbortSignal) => Promise<void>;

export interface HttpServerHandle {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string;
  port: number;
  /** The underlying server, for simulators that serve more than HTTP on the same port (socket.io, WebSocket). */
  server: Server;
  close(): Promise<void>;
}

/** Large enough for any GraphQL query or control call, small enough that a runaway client can't hurt. */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Listens on 127.0.0.1 only: the simulators and their control API have no real security and must
 * not be reachable from other machines. Port 0 (the default) picks a free port.
 */
export async function startHttpServer(handler: RequestHandler, port = 0): Promise<HttpServerHandle> {
  // Aborted on close, so requests held by a `slow` fault don't keep the process (or jest) alive.
  const closing = new AbortController();
  const server = createServer((request, response) => {
    handler(request, response, closing.signal).catch((error: unknown) => {
      if (closing.signal.aborted || response.headersSent) response.destroy();
      else sendJson(response, 500, { error: `sandbox failure: ${String(error)}` });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    server,
    close: async () => {
      closing.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections(); // keep-alive sockets would otherwise hold close() open
      await closed;
    },
  };
}

export function sendJson(response: ServerResponse, httpStatus: number, body: unknown, headers: Record<string, string> = {}): void {
  sendRaw(response, httpStatus, JSON.stringify(body), headers);
}

/** Sends a body as-is under a JSON content type (used on purpose by the `malformed` fault). */
export function sendRaw(response: ServerResponse, httpStatus: number, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(httpStatus, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...headers,
  });
  response.end(body);
}

export class BodyTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`request body is larger than ${limitBytes} bytes`);
  }
}

export async function readBody(request: IncomingMessage, limitBytes = DEFAULT_BODY_LIMIT_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw new BodyTooLargeError(limitBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The request's path and query, parsed against a dummy origin (only the path matters). */
export function requestUrl(request: IncomingMessage): URL {
  return new URL(request.url ?? '/', 'http://sandbox.invalid');
}

export type IdRoute = { kind: 'unmatched'; route: string } | { kind: 'bad_id' } | { kind: 'id'; id: string };

/** Matches `GET <prefix><id>` (one path segment, percent-decoded), as the REST simulators serve orders. */
export function matchIdRoute(request: IncomingMessage, prefix: string): IdRoute {
  const { pathname } = requestUrl(request);
  const route = `${request.method ?? 'GET'} ${pathname}`;
  const segment = pathname.startsWith(prefix) ? pathname.slice(prefix.length) : '';
  if (request.method !== 'GET' || segment === '' || segment.includes('/')) return { kind: 'unmatched', route };
  try {
    return { kind: 'id', id: decodeURIComponent(segment) };
  } catch {
    return { kind: 'bad_id' };
  }
}

/** How one provider words its errors, so injected faults look like that provider's own. */
export interface ProviderFormat {
  errorBody(httpStatus: number, message: string): unknown;
  /** Body of a 401 (wrong or missing credentials, or the `auth_refused` fault). */
  unauthorizedBody(): unknown;
  /** A 200 body in the provider's shape whose order has wrong types and no status. */
  schemaDriftBody(orderId: string | undefined): unknown;
}

export interface Reply {
  httpStatus: number;
  body: unknown;
  headers?: Record<string, string>;
  /** A list page: the ids of the orders it shows, for the request log. */
  listed?: string[];
}

export interface ProviderContext {
  faults: FaultBoard;
  log: RequestLog;
  format: ProviderFormat;
}

export interface Exchange {
  /** Date.now() when the request arrived. */
  arrivedAt: number;
  orderId?: string;
  operation: string;
  /** Whether the request carried the right credentials; checked after faults, like a gateway would. */
  authorized: boolean;
  /** The real answer. Only called when no fault took over, so it may count the request as answered. */
  answer(): Reply | Promise<Reply>;
}

/** How a REST simulator answers `GET <prefix><id>`: an unknown route, an undecodable id, or the order. */
export interface IdRouteReplies {
  /** The operation logged for a request that names an order. */
  operation: string;
  unmatched(route: string): Reply;
  badId(): Reply;
  order(orderId: string, now: number): Reply;
}

/**
 * One request to a `GET <prefix><id>` route as an exchange. An unknown route is answered before any
 * credentials check (as the real gateways do); an undecodable id and the order after it.
 */
export function idRouteExchange(request: IncomingMessage, prefix: string, authorized: boolean, replies: IdRouteReplies): Exchange {
  const arrivedAt = Date.now();
  const matched = matchIdRoute(request, prefix);
  if (matched.kind === 'unmatched') {
    return { arrivedAt, operation: matched.route, authorized: true, answer: () => replies.unmatched(matched.route) };
  }
  const { operation } = replies;
  if (matched.kind === 'bad_id') return { arrivedAt, operation, authorized, answer: () => replies.badId() };
  const orderId = matched.id;
  return { arrivedAt, orderId, operation, authorized, answer: () => replies.order(orderId, Date.now()) };
}

const NOT_JSON = '<html><body><h1>502 Bad Gateway</h1></body></html>';

export async function serveExchange(
  context: ProviderContext,
  response: ServerResponse,
  exchange: Exchange,
  signal: AbortSignal,
): Promise<void> {
  const fault = context.faults.take(exchange.orderId);
  const record = (httpStatus: number, listed?: string[]): void =>
    context.log.record({
      at: exchange.arrivedAt,
      ...(exchange.orderId !== undefined && { orderId: exchange.orderId }),
      operation: exchange.operation,
      httpStatus,
      ...(fault !== undefined && { fault: fault.kind }),
      ...(listed !== undefined && { listed }),
    });

  if (fault?.kind === 'reset') {
    record(0);
    response.socket?.destroy();
    return;
  }
  if (fault?.kind === 'malformed') {
    record(200);
    sendRaw(response, 200, NOT_JSON);
    return;
  }
  if (fault?.kind === 'slow') await sleep(fault.delayMs, undefined, { signal });

  const reply = faultReply(context.format, fault, exchange.orderId) ?? (await replyFor(context.format, exchange));
  record(reply.httpStatus, reply.listed);
  sendJson(response, reply.httpStatus, reply.body, reply.headers);
}

function faultReply(format: ProviderFormat, fault: Fault | undefined, orderId: string | undefined): Reply | undefined {
  switch (fault?.kind) {
    case 'rate_limit':
      return {
        httpStatus: 429,
        body: format.errorBody(429, 'Too many requests'),
        headers: { 'Retry-After': String(fault.retryAfterSeconds) },
      };
    case 'server_error':
      return { httpStatus: 500, body: format.errorBody(500, 'Internal server error') };
    case 'schema_drift':
      return { httpStatus: 200, body: format.schemaDriftBody(orderId) };
    case 'auth_refused':
      return { httpStatus: 401, body: format.unauthorizedBody() };
    default:
      return undefined; // no fault, or one handled before (slow, malformed, reset)
  }
}

async function replyFor(format: ProviderFormat, exchange: Exchange): Promise<Reply> {
  if (!exchange.authorized) return { httpStatus: 401, body: format.unauthorizedBody() };
  return exchange.answer();
}
