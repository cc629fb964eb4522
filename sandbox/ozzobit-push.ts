/**
 * The push side of the OZZOBiT simulator: on every status change of an order (by request count,
 * by scaled time, or when it is added) a signed webhook to the configured URL and an `order:update`
 * to the sockets subscribed to it, with injectable push faults and a log of every push.
 *
 * Timed steps end whether anyone polls or not, so a ticker looks at every order every 50 ms.
 * Statuses that passed between two looks are each pushed, in order, as the provider would have.
 * A step whose status equals the last pushed one (only its fields changed) is not a status change.
 *
 * Webhook: `POST <url>` with body `{ eventName: 'ORDER_<STATUS>', data: <order> }` and header
 * `x-OZZOBiT-signature: <HMAC-SHA256 of the raw body, keyed with the webhook secret>`, in hex unless
 * the target says otherwise, or as a JWT (ozzobit-webhook-request.ts; the seed leaves the scheme to
 * a separate guide). The alternate shape sends a non-order event before an order's first status,
 * and names the order `orderId` in socket updates (shape-variant.ts). Deliveries of one order go out one at a
 * time, in order; each is tried once (the tracker's polls are the fallback), or redelivered while
 * the receiver answers 5xx if the target says so (the fault tier), and every attempt is logged with
 * the receiver's HTTP status, 0 when it could not be reached.
 *
 * socket.io: the seed connects with `io('wss://…/ws', { auth: { apiKey } })`. In socket.io a URL's
 * path names the namespace, so this serves namespace `/ws` on the default `/socket.io/` path. A
 * wrong or missing `auth.apiKey` is refused at connect (`connect_error` "unauthorized"); the root
 * namespace refuses everyone. `subscribe:order { orderId }` joins the order's updates (an optional
 * acknowledgement gets `{ ok, orderId }`); `unsubscribe:order { orderId }` leaves them.
 */
import type { Server as HttpServer } from 'node:http';
import { Server as SocketServer } from 'socket.io';
import type { Namespace, Socket } from 'socket.io';
import { OZZOBIT_SOCKET_NAMESPACE, OZZOBIT_SUBSCRIBE_EVENT, OZZOBIT_UNSUBSCRIBE_EVENT, OZZOBIT_UPDATE_EVENT, ozzobitEventName } from '../providers/ozzobit/ozzobit-protocol';
import type { OrderBook } from './order-book';
import { ozzobitOrder, ozzobitSocketUpdate } from './ozzobit-order';
import { type OzzobitWebhookTarget, ozzobitWebhookRequest, sendOzzobitWebhook } from './ozzobit-webhook-request';
import type { ShapeVariant } from './shape-variant';
import type { OzzobitPushFault, OzzobitPushFaultKind, PushFaultBoard } from './ozzobit-push-faults';

export type { OzzobitWebhookTarget } from './ozzobit-webhook-request';
/** How often timed steps are checked: a time-based status change is pushed within this. */
export const PUSH_TICK_MS = 50;
/** How long a delivery waits for the receiver; webhook senders typically allow 10–30 s. */
/** The event the alternate shape sends before an order's first status: not an order event. */
export const OZZOBIT_OTHER_EVENT = 'WEBHOOK_TEST';

export interface PushLogEntry {
  /** Date.now() when the push was sent. */
  at: number;
  orderId: string;
  channel: 'webhook' | 'socket';
  /** `ORDER_<STATUS>` for webhooks, `order:update` for sockets. */
  eventName: string;
  status: string;
  /** Webhooks: the receiver's HTTP status, 0 when it could not be reached. */
  httpStatus?: number;
  /** Sockets: how many subscribed sockets the update reached (or were dropped). */
  recipients?: number;
  fault?: OzzobitPushFaultKind;
  /** Set on the extra copy of a `duplicate_push`, and on the older status a `stale_push` re-sends. */
  replay?: 'duplicate' | 'stale';
}

export interface OzzobitPushOptions {
  orders: OrderBook;
  apiKey: string;
  webhook?: OzzobitWebhookTarget;
  faults: PushFaultBoard;
  /** The shape of what is pushed (shape-variant.ts). */
  shape: ShapeVariant;
}

/** What was last pushed for an order. */
interface Announced {
  stepIndex: number;
  status: string;
  /** When the simulator saw the status change: the order's `updatedAt`. */
  changedAt: number;
  order: Record<string, unknown>;
}

interface Send {
  order: Record<string, unknown>;
  status: string;
  replay?: 'duplicate' | 'stale';
}

const room = (orderId: string) => `order:${orderId}`;

export class OzzobitPushHub {
  private readonly announced = new Map<string, Announced>();
  private readonly deliveries = new Map<string, Promise<void>>();
  private readonly entries: PushLogEntry[] = [];
  private readonly io: SocketServer;
  private readonly namespace: Namespace;
  private readonly ticker: NodeJS.Timeout;
  private readonly closing = new AbortController();

  constructor(httpServer: HttpServer, private readonly options: OzzobitPushOptions) {
    this.io = new SocketServer(httpServer, { serveClient: false });
    this.io.use((_socket, next) => next(new Error(`no such namespace: connect to ${OZZOBIT_SOCKET_NAMESPACE}`)));
    this.namespace = this.io.of(OZZOBIT_SOCKET_NAMESPACE);
    this.namespace.use((socket, next) => {
      const auth = socket.handshake.auth as { apiKey?: unknown } | undefined;
      next(auth?.apiKey === options.apiKey ? undefined : new Error('unauthorized'));
    });
    this.namespace.on('connection', (socket) => this.serveSocket(socket));
    this.ticker = setInterval(() => {
      const now = Date.now();
      for (const orderId of this.announced.keys()) this.announce(orderId, now);
    }, PUSH_TICK_MS);
    this.ticker.unref();
  }

  /** A new or restarted order: its first status is pushed now. */
  added(orderId: string, now: number): void {
    this.announced.delete(orderId);
    if (this.options.shape === 'alternate') this.enqueueEvent(orderId, OZZOBIT_OTHER_EVENT, { message: 'webhook test', orderId });
    this.announce(orderId, now);
  }

  /**
   * Pushes every status change since the order was last looked at, and returns the order as it
   * stands (undefined for an unknown order), with `updatedAt` at its last status change.
   */
  observe(orderId: string, now: number): Record<string, unknown> | undefined {
    const snapshot = this.options.orders.snapshot(orderId, now);
    const current = this.announce(orderId, now);
    if (snapshot === undefined || current === undefined) return undefined;
    return ozzobitOrder(snapshot.script, snapshot.stepIndex, snapshot.addedAt, current.changedAt);
  }

  /** Pushes every status change since the order was last looked at; returns what was last pushed. */
  private announce(orderId: string, now: number): Announced | undefined {
    const snapshot = this.options.orders.snapshot(orderId, now);
    if (snapshot === undefined) return undefined;
    let current = this.announced.get(orderId);
    for (let index = current === undefined ? 0 : current.stepIndex + 1; index <= snapshot.stepIndex; index += 1) {
      const status = snapshot.script.steps[index]?.status ?? '';
      if (current !== undefined && status === current.status) {
        current = { ...current, stepIndex: index };
        continue;
      }
      const order = ozzobitOrder(snapshot.script, index, snapshot.addedAt, now);
      this.push(orderId, { order, status }, current);
      current = { stepIndex: index, status, changedAt: now, order };
    }
    if (current !== undefined) this.announced.set(orderId, current); // always set: a snapshot has step 0 at least
    return current;
  }

  /** Every push, in the order sent, for one order or all. Copies. */
  list(orderId?: string): PushLogEntry[] {
    return this.entries.filter((entry) => orderId === undefined || entry.orderId === orderId).map((entry) => ({ ...entry }));
  }

  /** Stops the ticker and drops pending deliveries; closes the socket.io server (and with it the HTTP server). */
  async close(): Promise<void> {
    clearInterval(this.ticker);
    this.closing.abort();
    await Promise.all([this.io.close(), Promise.allSettled([...this.deliveries.values()])]);
  }

  private push(orderId: string, send: Send, previous: Announced | undefined): void {
    const fault = this.options.faults.take(orderId);
    const sends: Send[] = [send];
    if (fault?.kind === 'duplicate_push') sends.push({ ...send, replay: 'duplicate' });
    if (fault?.kind === 'stale_push' && previous !== undefined) {
      sends.push({ order: previous.order, status: previous.status, replay: 'stale' });
    }
    for (const each of sends) {
      this.emit(orderId, each, fault);
      this.enqueueWebhook(orderId, each, fault);
    }
  }

  private emit(orderId: string, send: Send, fault: OzzobitPushFault | undefined): void {
    const subscribers = [...(this.namespace.adapter.rooms.get(room(orderId)) ?? [])];
    if (fault?.kind === 'drop_socket') {
      // Closing the transport, not a server-side disconnect: the client sees "transport close" and reconnects.
      for (const socketId of subscribers) this.namespace.sockets.get(socketId)?.conn.close();
    } else {
      this.namespace.to(room(orderId)).emit(OZZOBIT_UPDATE_EVENT, ozzobitSocketUpdate(send.order, this.options.shape));
    }
    this.record({ orderId, channel: 'socket', eventName: OZZOBIT_UPDATE_EVENT, status: send.status, recipients: subscribers.length }, fault, send);
  }

  private enqueueWebhook(orderId: string, send: Send, fault: OzzobitPushFault | undefined): void {
    this.enqueueEvent(orderId, ozzobitEventName(send.status), send.order, send, fault);
  }

  /** One webhook, after the order's earlier ones; `send` is absent for an event that is not an order's status. */
  private enqueueEvent(orderId: string, eventName: string, data: unknown, send?: Send, fault?: OzzobitPushFault): void {
    const webhook = this.options.webhook;
    if (webhook === undefined) return;
    const request = ozzobitWebhookRequest(eventName, data, {
      secret: webhook.secret,
      encoding: webhook.encoding ?? 'hex',
      shape: this.options.shape,
      now: Date.now(),
    });
    const deliver = async (): Promise<void> => {
      if (this.closing.signal.aborted) return;
      // Every attempt is logged (a redelivering target may make several).
      await sendOzzobitWebhook(webhook, request, this.closing.signal, (httpStatus, at) => {
        if (!this.closing.signal.aborted || httpStatus !== 0) {
          this.record({ orderId, channel: 'webhook', eventName, status: send?.status ?? '', httpStatus }, fault, send ?? { order: {}, status: '' }, at);
        }
      });
    };
    const next = (this.deliveries.get(orderId) ?? Promise.resolve()).then(deliver);
    this.deliveries.set(orderId, next);
  }

  private record(
    entry: Omit<PushLogEntry, 'at' | 'fault' | 'replay'>,
    fault: OzzobitPushFault | undefined,
    send: Send,
    at = Date.now(),
  ): void {
    this.entries.push({
      at,
      ...entry,
      ...(fault !== undefined && { fault: fault.kind }),
      ...(send.replay !== undefined && { replay: send.replay }),
    });
  }

  private serveSocket(socket: Socket): void {
    const orderIdOf = (payload: unknown): string | undefined => {
      const orderId = (payload as { orderId?: unknown } | null)?.orderId;
      return typeof orderId === 'string' && orderId.length > 0 && orderId.length <= 128 ? orderId : undefined;
    };
    const acknowledge = (ack: unknown, body: unknown) => {
      if (typeof ack === 'function') (ack as (body: unknown) => void)(body);
    };
    socket.on(OZZOBIT_SUBSCRIBE_EVENT, async (payload: unknown, ack?: unknown) => {
      const orderId = orderIdOf(payload);
      if (orderId === undefined) return acknowledge(ack, { ok: false, error: `${OZZOBIT_SUBSCRIBE_EVENT} needs { orderId }` });
      await socket.join(room(orderId));
      acknowledge(ack, { ok: true, orderId });
    });
    socket.on(OZZOBIT_UNSUBSCRIBE_EVENT, async (payload: unknown, ack?: unknown) => {
      const orderId = orderIdOf(payload);
      if (orderId === undefined) return acknowledge(ack, { ok: false, error: `${OZZOBIT_UNSUBSCRIBE_EVENT} needs { orderId }` });
      await socket.leave(room(orderId));
      acknowledge(ack, { ok: true, orderId });
    });
  }
}
