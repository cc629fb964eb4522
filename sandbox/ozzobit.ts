/**
 * OZZOBiT simulator: the three tracking channels of seed 002 over real HTTP on 127.0.0.1, from
 * scripted orders — REST polling, signed webhooks and socket.io (see ozzobit-push.ts) — with
 * switchable HTTP and push faults, logs of requests and pushes, and the `/_sandbox/` control API.
 *
 *   GET /api/api/v2/orders/:id   → 200 <order>   (the order object at the body's root; ozzobit-order.ts)
 *                                       or, in the alternate shape, { data: <order without id> }
 *
 * The seed's URL has a doubled `/api/api/v2`: the simulator serves exactly that path, so its `url`
 * (what OZZOBIT_URL takes, the base before `/api/v2/orders`) is `http://127.0.0.1:PORT/api`, and the
 * seed's own fetch works against it unchanged but for the host. Credentials: exactly
 * `Authorization: Bearer <secretKey>`, else HTTP 401. Errors: `{ error: { statusCode, name, message } }`.
 */
import type { IncomingMessage } from 'node:http';
import { handleControlRequest, isControlRequest, CONTROL_PATH_PREFIX } from './control-api';
import type { PushControl } from './control-api';
import { FaultBoard } from './faults';
import type { Fault } from './faults';
import { idRouteExchange, serveExchange, startHttpServer } from './http-server';
import type { Exchange, ProviderFormat } from './http-server';
import { OrderBook } from './order-book';
import { OZZOBIT_SOCKET_NAMESPACE } from '../providers/ozzobit/ozzobit-protocol';
import { OzzobitPushHub } from './ozzobit-push';
import type { OzzobitWebhookTarget, PushLogEntry } from './ozzobit-push';
import { isOzzobitPushFault, PushFaultBoard } from './ozzobit-push-faults';
import type { OzzobitPushFault } from './ozzobit-push-faults';
import { RequestLog } from './request-log';
import type { ProviderSimulator, RequestLogEntry, SimulatorOptions } from './request-log';
import { orderScriptSchema } from './scenario';
import type { OrderScript } from './scenario';
import { ozzobitRestBody } from './ozzobit-order';
import type { ShapeVariant } from './shape-variant';

export type { PushLogEntry } from './ozzobit-push';
export type { OzzobitPushFault } from './ozzobit-push-faults';

export interface OzzobitSandboxOptions extends SimulatorOptions {
  /** REST credentials: `Authorization: Bearer <secretKey>`. */
  secretKey: string;
  /** socket.io credentials: `auth: { apiKey }`. */
  apiKey: string;
  /** Where status-change webhooks go, and the secret they are signed with. None are sent without it. */
  webhook?: OzzobitWebhookTarget;
}

export interface OzzobitSandbox extends ProviderSimulator<OrderScript, Fault | OzzobitPushFault> {
  /** socket.io URL with the `/ws` namespace, e.g. ws://127.0.0.1:PORT/ws (what OZZOBIT_WS_URL takes). */
  wsUrl: string;
  /** Every push sent (webhooks and socket updates), in the order sent. */
  pushes(orderId?: string): PushLogEntry[];
  /** Webhook deliveries only, with the receiver's HTTP status. */
  webhooks(orderId?: string): PushLogEntry[];
}

/** The seed's doubled prefix: base `…/api` + `/api/v2/orders/:id`. */
export const OZZOBIT_API_BASE_PATH = '/api';
export const OZZOBIT_ORDER_PATH = '/api/api/v2/orders/';
const OPERATION = 'get_order';

function errorBody(statusCode: number, name: string, message: string) {
  return { error: { statusCode, name, message } };
}

const ozzobitFormat: ProviderFormat = {
  errorBody: (httpStatus, message) =>
    errorBody(httpStatus, httpStatus === 429 ? 'TooManyRequestsError' : 'InternalServerError', message),
  unauthorizedBody: () => errorBody(401, 'UnauthorizedError', 'Invalid or missing secret API key'),
  // No status, and the other fields in types a strict client must not accept.
  schemaDriftBody: (orderId) => ({ id: orderId ?? 'unknown', orderStatus: 'PROCESSING', cryptoAmount: { value: 'lots' }, network: 7 }),
};

export async function startOzzobitSandbox(options: OzzobitSandboxOptions): Promise<OzzobitSandbox> {
  if (options.secretKey === '' || options.apiKey === '') throw new Error('startOzzobitSandbox needs a non-empty secretKey and apiKey');
  if (options.webhook !== undefined && (options.webhook.url === '' || options.webhook.secret === '')) {
    throw new Error('startOzzobitSandbox: webhook needs a url and a non-empty secret');
  }
  const orders = new OrderBook(options.timeScale ?? 1);
  const faults = new FaultBoard();
  const pushFaults = new PushFaultBoard();
  const log = new RequestLog();
  const addOrder = (script: unknown): void => {
    const parsed = orderScriptSchema.parse(script);
    const now = Date.now();
    orders.add(parsed, now);
    pushHub.added(parsed.id, now); // only called once the server (and with it the hub) runs
  };
  const authorization = `Bearer ${options.secretKey}`;
  const shape = options.shape ?? 'seed';

  const server = await startHttpServer(async (request, response, signal) => {
    if (isControlRequest(request)) return handleControlRequest({ addOrder, faults, log, push }, request, response);
    const exchange = orderExchange(request, request.headers.authorization === authorization, (orderId, now) => {
      const order = pushHub.observe(orderId, now);
      if (order === undefined) return undefined;
      orders.recordAnswer(orderId, now);
      pushHub.observe(orderId, now); // a request-count step that just ended is pushed right away
      return ozzobitRestBody(order, shape);
    });
    await serveExchange({ faults, log, format: ozzobitFormat }, response, exchange, signal);
  }, options.port);
  const pushHub = new OzzobitPushHub(server.server, { orders, apiKey: options.apiKey, webhook: options.webhook, faults: pushFaults, shape });
  const push: PushControl = {
    setFault: (fault, orderId) => pushFaults.set(fault, orderId),
    clearFaults: (orderId) => pushFaults.clear(orderId),
    list: (orderId) => pushHub.list(orderId),
  };

  const host = server.url.replace(/^http:/, 'ws:');
  return {
    url: `${server.url}${OZZOBIT_API_BASE_PATH}`,
    wsUrl: `${host}${OZZOBIT_SOCKET_NAMESPACE}`,
    controlUrl: `${server.url}${CONTROL_PATH_PREFIX}`,
    addOrder,
    setFault: (fault, orderId) => (isOzzobitPushFault(fault) ? pushFaults.set(fault, orderId) : faults.set(fault, orderId)),
    clearFaults: (orderId) => {
      faults.clear(orderId);
      pushFaults.clear(orderId);
    },
    requests: (orderId) => log.list(orderId),
    pushes: (orderId) => pushHub.list(orderId),
    webhooks: (orderId) => pushHub.list(orderId).filter((entry) => entry.channel === 'webhook'),
    close: async () => {
      await Promise.all([pushHub.close(), server.close()]);
    },
  };
}

function orderExchange(
  request: IncomingMessage,
  authorized: boolean,
  answerOrder: (orderId: string, now: number) => Record<string, unknown> | undefined,
): Exchange {
  return idRouteExchange(request, OZZOBIT_ORDER_PATH, authorized, {
    operation: OPERATION,
    unmatched: (route) => ({ httpStatus: 404, body: errorBody(404, 'NotFoundError', `No route ${route}`) }),
    badId: () => ({ httpStatus: 400, body: errorBody(400, 'BadRequestError', 'Invalid order id') }),
    order: (orderId, now) => {
      const order = answerOrder(orderId, now);
      return order === undefined ? { httpStatus: 404, body: errorBody(404, 'NotFoundError', 'Order not found') } : { httpStatus: 200, body: order };
    },
  });
}
