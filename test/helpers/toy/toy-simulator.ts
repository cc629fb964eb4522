/**
 * A tiny Toy over real HTTP and WebSocket: scripted orders, the list pages, the socket of updates,
 * and webhooks posted where a test says. Paths, headers, signing and shapes come from toy-protocol.ts.
 */
import { type IncomingMessage, type Server, createServer } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { TOY_ORDERS_PATH, TOY_ORDER_EVENT, TOY_REFUSED_CLOSE_CODE, TOY_SIGNATURE_HEADER, TOY_UPDATES_PATH, type ToyOrder, signToyWebhook, toyAuthorization } from './toy-protocol';

interface ScriptedOrder {
  /** Answered in turn, one per request for the order, then the last one stays. */
  states: string[];
  created: string;
  /** False: the list pages never show it (only a poll by id sees it). */
  listed: boolean;
}

/** How a change reaches the tracker besides polls: the socket, a webhook posted to `url`, or not at all. */
export type ToyNotice = { via: 'socket' } | { via: 'webhook'; url: string; secret: string };

export interface ToySimulator {
  url: string;
  wsUrl: string;
  addOrder(orderId: string, states: string[], options?: { listed?: boolean }): void;
  /** The order's state from now on, and the notice of it; a webhook's answer is returned. */
  change(orderId: string, state: string, notice?: ToyNotice): Promise<{ status: number; body: unknown } | undefined>;
  /** The requests for one order by id (list pages are not in it). */
  requests: { orderId: string; authorization: string | undefined; at: number }[];
  listPages(): number;
  connectedSockets(): number;
  close(): Promise<void>;
}

export async function startToySimulator(token: string, pageSize = 100): Promise<ToySimulator> {
  const orders = new Map<string, ScriptedOrder>();
  const requests: ToySimulator['requests'] = [];
  let pages = 0;
  const current = (id: string, order: ScriptedOrder): ToyOrder => ({ id, state: order.states[0] ?? 'waiting', created: order.created });

  const server: Server = createServer((request, response) => {
    const answer = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const url = new URL(request.url ?? '/', 'http://toy');
    const match = new RegExp(`^${TOY_ORDERS_PATH}/([^/]+)$`).exec(url.pathname);
    const orderId = match === null ? undefined : decodeURIComponent(match[1] ?? '');
    if (orderId !== undefined) requests.push({ orderId, authorization: request.headers.authorization, at: Date.now() });
    if (request.headers.authorization !== toyAuthorization(token)) return answer(401, { message: 'bad token' });
    if (url.pathname === TOY_ORDERS_PATH) {
      pages += 1;
      const page = Number(url.searchParams.get('page') ?? 0);
      const listed = [...orders].filter(([, order]) => order.listed).reverse();
      const shown = listed.slice(page * pageSize, (page + 1) * pageSize).map(([id, order]) => current(id, order));
      return answer(200, { orders: shown, next: (page + 1) * pageSize < listed.length ? page + 1 : null });
    }
    const order = orderId === undefined ? undefined : orders.get(orderId);
    if (orderId === undefined || order === undefined) return answer(404, { message: 'no such order' });
    const state = order.states.length > 1 ? order.states.shift() : order.states[0];
    return answer(200, { id: orderId, state, created: order.created });
  });

  const sockets = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request: IncomingMessage, socket, head) => {
    if (new URL(request.url ?? '/', 'http://toy').pathname !== TOY_UPDATES_PATH) return socket.destroy();
    sockets.handleUpgrade(request, socket, head, (client) => {
      if (request.headers.authorization !== toyAuthorization(token)) client.close(TOY_REFUSED_CLOSE_CODE, 'bad token');
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('toy simulator has no port');
  const open = () => [...sockets.clients].filter((client) => client.readyState === WebSocket.OPEN);
  return {
    url: `http://127.0.0.1:${address.port}`,
    wsUrl: `ws://127.0.0.1:${address.port}${TOY_UPDATES_PATH}`,
    addOrder: (orderId, states, options = {}) => void orders.set(orderId, { states: [...states], created: new Date().toISOString(), listed: options.listed ?? true }),
    async change(orderId, state, notice) {
      const order = orders.get(orderId);
      if (order === undefined) throw new Error(`no toy order ${orderId}`);
      order.states = [state];
      if (notice?.via === 'socket') for (const client of open()) client.send(JSON.stringify({ type: 'order', order: current(orderId, order) }));
      if (notice?.via !== 'webhook') return undefined;
      const body = JSON.stringify({ event: TOY_ORDER_EVENT, order: current(orderId, order) });
      const response = await fetch(notice.url, { method: 'POST', headers: { 'content-type': 'application/json', [TOY_SIGNATURE_HEADER]: signToyWebhook(body, notice.secret) }, body });
      return { status: response.status, body: await response.json() };
    },
    requests,
    listPages: () => pages,
    connectedSockets: () => open().length,
    async close() {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
