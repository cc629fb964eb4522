/**
 * Houdini Swap simulator: the partner REST API (`GET /v2/orders/{houdiniId}`, `GET /v2/orders`) and
 * the WebSocket order-update endpoint (seed 003) on one 127.0.0.1 port, answering from scripted
 * orders, with switchable HTTP and push faults, a request log and a push log, plus the `/_sandbox/`
 * control API (control-api.ts and houdini-control.ts).
 *
 * REST, our reading of what the seed leaves open:
 * - Credentials: exactly `Authorization: partnerId:secret`, else HTTP 401 (the seed's 400 for a
 *   malformed header is a WebSocket handshake rule).
 * - `GET /v2/orders/{houdiniId}` → 200 the order (see houdini-order.ts), 404 for an unknown order or
 *   another partner's. Each answer counts towards request-count steps.
 * - `GET /v2/orders?page=1&pageSize=50` → 200 `{ orders, total, page, pageSize }`, newest first,
 *   only this partner's orders; pageSize 1–100. Listing does not count as answering an order.
 * - Errors are NestJS-style `{ statusCode, message, error }`.
 * Pushes: an `order_update` for every status change (not for an order being added), to every
 * connection subscribed to the order.
 */
import type { IncomingMessage } from 'node:http';
import { houdiniAuthorization } from '../providers/houdini/houdini-protocol';
import { isControlRequest, CONTROL_PATH_PREFIX } from './control-api';
import { FaultBoard } from './faults';
import type { Fault } from './faults';
import { StatusChangeFeed } from './houdini-changes';
import { handleHoudiniControlRequest } from './houdini-control';
import { houdiniErrorBody, houdiniFormat, houdiniOrder, houdiniScriptSchema } from './houdini-order';
import type { HoudiniOrderScript } from './houdini-order';
import { PushFaultBoard, PushLog, isPushFault } from './houdini-push-faults';
import type { PushFault, PushLogEntry } from './houdini-push-faults';
import { HOUDINI_WS_PATH, HoudiniSocketServer } from './houdini-socket';
import { requestUrl, serveExchange, startHttpServer } from './http-server';
import type { Exchange, Reply } from './http-server';
import { OrderBook } from './order-book';
import type { OrderSnapshot } from './order-book';
import { RequestLog } from './request-log';
import type { ShapeVariant } from './shape-variant';
import type { ProviderSimulator, RequestLogEntry, SimulatorOptions } from './request-log';

export type { HoudiniOrderScript } from './houdini-order';
export type { PushFault, PushLogEntry } from './houdini-push-faults';

export interface HoudiniSandboxOptions extends SimulatorOptions {
  partnerId: string;
  secret: string;
}

/** An HTTP fault (REST answers) or a push fault (WebSocket updates). */
export type HoudiniFault = Fault | PushFault;

export interface HoudiniSandbox extends ProviderSimulator<HoudiniOrderScript, HoudiniFault> {
  /** The WebSocket endpoint, e.g. ws://127.0.0.1:PORT/ws (what HOUDINI_WS_URL takes). */
  wsUrl: string;
  /** Every `order_update` sent (or dropped by a fault), per connection, for one order or all. */
  pushes(orderId?: string): PushLogEntry[];
  /** Drops every WebSocket connection without a close frame; returns how many. */
  dropSockets(): number;
}

export const HOUDINI_ORDERS_PATH = '/v2/orders';
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;

export async function startHoudiniSandbox(options: HoudiniSandboxOptions): Promise<HoudiniSandbox> {
  const { partnerId, secret } = options;
  if (partnerId === '' || secret === '' || /[:\s]/.test(partnerId) || /\s/.test(secret)) {
    throw new Error('startHoudiniSandbox needs a non-empty partnerId without ":" or spaces and a non-empty secret without spaces');
  }
  const timeScale = options.timeScale ?? 1;
  const orders = new OrderBook<HoudiniOrderScript>(timeScale);
  const faults = new FaultBoard();
  const pushFaults = new PushFaultBoard();
  const log = new RequestLog();
  const pushLog = new PushLog();
  const sockets = new HoudiniSocketServer({ partnerId, secret, log, pushes: pushLog, faults: pushFaults });
  const render = (snapshot: OrderSnapshot<HoudiniOrderScript>) => houdiniOrder(snapshot, timeScale, options.shape ?? 'seed');
  // "Only orders belonging to your partner account are delivered."
  const ours = (snapshot: OrderSnapshot<HoudiniOrderScript>) => (snapshot.script.partnerId ?? partnerId) === partnerId;
  const changes = new StatusChangeFeed(orders, render, (orderId, order, previous) => {
    const snapshot = orders.snapshot(orderId, Date.now());
    if (snapshot !== undefined && ours(snapshot)) sockets.publish(orderId, order, previous);
  });

  const addOrder = (script: unknown): void => {
    const parsed = houdiniScriptSchema.parse(script);
    const now = Date.now();
    orders.add(parsed, now);
    changes.added(parsed.id, now);
  };

  function getOrder(orderId: string): Reply {
    const now = Date.now();
    const snapshot = orders.snapshot(orderId, now);
    if (snapshot === undefined || !ours(snapshot)) return reply(404, houdiniErrorBody(404, `Order ${orderId} not found`));
    const order = render(snapshot);
    orders.recordAnswer(orderId, now);
    changes.check(orderId, now); // a request-count step may have ended with this answer: push it
    return reply(200, order);
  }

  function listOrders(searchParams: URLSearchParams): Reply {
    const page = positiveInteger(searchParams.get('page'), 1);
    const pageSize = positiveInteger(searchParams.get('pageSize'), DEFAULT_PAGE_SIZE);
    if (page === undefined || pageSize === undefined || pageSize > MAX_PAGE_SIZE) {
      return reply(400, houdiniErrorBody(400, `page must be at least 1 and pageSize 1-${MAX_PAGE_SIZE}`));
    }
    const now = Date.now();
    // The book keeps insertion order; newest first. An `unlisted` order is one the list's replica lags behind on.
    const visible = orders.all(now).filter((snapshot) => ours(snapshot) && snapshot.script.unlisted !== true).reverse();
    for (const snapshot of visible) changes.check(snapshot.script.id, now); // pushes never lag the list
    const slice = visible.slice((page - 1) * pageSize, page * pageSize);
    return { ...reply(200, { orders: slice.map(render), total: visible.length, page, pageSize }), listed: slice.map((snapshot) => snapshot.script.id) };
  }

  function exchangeFor(request: IncomingMessage): Exchange {
    const arrivedAt = Date.now();
    const authorized = request.headers.authorization === houdiniAuthorization(partnerId, secret);
    const { pathname, searchParams } = requestUrl(request);
    const route = `${request.method} ${pathname}`;
    const match = /^\/v2\/orders(?:\/([^/]+))?\/?$/.exec(pathname);
    if (match === null) {
      return { arrivedAt, operation: route, authorized: true, answer: () => reply(404, houdiniErrorBody(404, `Cannot ${route}`)) };
    }
    const orderId = match[1] === undefined ? undefined : safeDecode(match[1]);
    const operation = match[1] === undefined ? 'list_orders' : 'get_order';
    if (request.method !== 'GET') {
      const answer = () => ({ ...reply(405, houdiniErrorBody(405, `Cannot ${route}`)), headers: { Allow: 'GET' } });
      return { arrivedAt, operation: route, authorized, answer };
    }
    if (operation === 'list_orders') return { arrivedAt, operation, authorized, answer: () => listOrders(searchParams) };
    if (orderId === undefined) {
      return { arrivedAt, operation, authorized, answer: () => reply(400, houdiniErrorBody(400, 'Invalid order id in the path')) };
    }
    return { arrivedAt, operation, orderId, authorized, answer: () => getOrder(orderId) };
  }

  const dropSockets = () => sockets.dropAll();
  const server = await startHttpServer(async (request, response, signal) => {
    if (isControlRequest(request)) {
      return handleHoudiniControlRequest({ addOrder, faults, log, pushFaults, pushLog, dropSockets }, request, response);
    }
    await serveExchange({ faults, log, format: houdiniFormat }, response, exchangeFor(request), signal);
  }, options.port);
  server.server.on('upgrade', (request, socket, head) => sockets.handleUpgrade(request, socket, head));

  return {
    url: server.url,
    wsUrl: `${server.url.replace(/^http/, 'ws')}${HOUDINI_WS_PATH}`,
    controlUrl: `${server.url}${CONTROL_PATH_PREFIX}`,
    addOrder,
    setFault: (fault, orderId) => (isPushFault(fault) ? pushFaults.set(fault, orderId) : faults.set(fault, orderId)),
    clearFaults: (orderId) => {
      faults.clear(orderId);
      pushFaults.clear(orderId);
    },
    requests: (orderId) => log.list(orderId),
    pushes: (orderId) => pushLog.list(orderId),
    dropSockets,
    close: async () => {
      changes.close();
      sockets.close(); // upgraded sockets are not the HTTP server's to close
      await server.close();
    },
  };
}

function reply(httpStatus: number, body: unknown): Reply {
  return { httpStatus, body };
}

function positiveInteger(value: string | null, fallback: number): number | undefined {
  if (value === null) return fallback;
  const number = Number(value);
  return Number.isInteger(number) && number >= 1 ? number : undefined;
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
