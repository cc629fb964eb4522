/**
 * The OZZOBiT socket.io bridge (seed 002): `io(OZZOBIT_WS_URL, { auth: { apiKey } })` (namespace
 * `/ws`), `subscribe:order { orderId }` for every OZZOBiT order being tracked, and each
 * `order:update` into `OrderTracker.push` (the open run, else ledger check and signal-with-start).
 *
 * Which orders: the tracked ones (running OZZOBiT workflows, from visibility), listed every
 * `refreshMs`, so an order that starts is subscribed within that time, and one that ends is
 * unsubscribed. A socket.io server forgets subscriptions with the connection, so every (re)connect
 * subscribes them all again.
 * Updates sent while the socket was down are not replayed; the workflow's polls (every 5 s for
 * OZZOBiT) see those states anyway.
 *
 * Connection life is socket.io's: lost connections reconnect by themselves with jittered,
 * capped exponential backoff. A refusal at connect (OZZOBiT's middleware rejecting `auth.apiKey`)
 * is final in socket.io and ends `run()` with an error naming OZZOBIT_API_KEY: retrying cannot fix a
 * wrong key and would only hammer OZZOBiT. A push is only a hint (the workflow keeps the highest
 * rank and confirms a final status by polling), so two bridge replicas only duplicate signals.
 */
import { io, type Socket } from 'socket.io-client';
import { orderKey } from '../../domain/ids';
import type { ProviderClock } from '../provider-clock';
import type { PushBridge, TrackedOrders } from '../push/push-channel';
import { errorText } from '../push/push-logger';
import { SocketBridge, type SocketBridgeOptions } from '../push/socket-bridge';
import { parseOzzobitUpdate } from './ozzobit-events';
import { OZZOBIT_SUBSCRIBE_EVENT, OZZOBIT_UNSUBSCRIBE_EVENT, OZZOBIT_UPDATE_EVENT } from './ozzobit-protocol';

export interface OzzobitBridgeOptions extends SocketBridgeOptions {
  /** OZZOBIT_WS_URL: the socket.io URL whose path is the namespace, e.g. wss://…/ws */
  wsUrl: string;
  /** OZZOBIT_API_KEY, sent as `auth.apiKey`. */
  apiKey: string;
  /** The OZZOBiT orders being tracked: each is subscribed. */
  trackedOrders: TrackedOrders;
  /** How often tracked orders are listed again: a new order is subscribed within this. */
  refreshMs?: number;
  /** socket.io's reconnection backoff: first delay and cap (each ±50 % jitter). */
  reconnectDelayMs?: number;
  reconnectDelayMaxMs?: number;
  /** Wall time to OZZOBiT's (SANDBOX_TIME_SCALE against the sandbox; provider-clock.ts). */
  clock?: ProviderClock;
}

export interface OzzobitBridgeState {
  connected: boolean;
  /** Successful connects so far (the first one included). */
  connections: number;
  /** Orders tracked at the last refresh: subscribed on every connection. */
  tracked: string[];
  /** Subscriptions OZZOBiT acknowledged on the current connection (if the server acknowledges at all). */
  acknowledged: string[];
}

export interface OzzobitBridge extends PushBridge {
  state(): OzzobitBridgeState;
}

/** OZZOBiT refused the socket.io connection at connect: fix OZZOBIT_API_KEY (or OZZOBIT_WS_URL) and restart. */
export class OzzobitSocketRefusedError extends Error {
  override readonly name = 'OzzobitSocketRefusedError';
}

/** About one poll interval: a new order gets its pushes within seconds, at one list query per 5 s. */
const DEFAULT_REFRESH_MS = 5_000;
const DEFAULT_RECONNECT_DELAY_MS = 1_000;
/** A long outage costs a connection attempt (and a log line) every 30 s at most. */
const DEFAULT_RECONNECT_DELAY_MAX_MS = 30_000;
/** How long an acknowledgement may take; one that never comes only means the server does not send them. */
const ACK_TIMEOUT_MS = 10_000;

export function createOzzobitBridge(options: OzzobitBridgeOptions): OzzobitBridge {
  return new SocketIoBridge(options);
}

class SocketIoBridge extends SocketBridge implements OzzobitBridge {
  private readonly refreshMs: number;
  private socket: Socket | undefined;
  private tracked: ReadonlySet<string> = new Set();
  private acknowledged = new Set<string>();
  private connections = 0;
  private failedConnects = 0;
  private refreshTimer: NodeJS.Timeout | undefined;
  private serverDisconnectTimer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(private readonly options: OzzobitBridgeOptions) {
    super('ozzobit', options);
    this.refreshMs = Math.max(100, options.refreshMs ?? DEFAULT_REFRESH_MS);
  }

  state(): OzzobitBridgeState {
    return {
      connected: this.socket?.connected ?? false,
      connections: this.connections,
      tracked: [...this.tracked],
      acknowledged: [...this.acknowledged],
    };
  }

  protected start(): void {
    const socket = io(this.options.wsUrl, {
      auth: { apiKey: this.options.apiKey },
      // Its own connection: never shares a Manager (and a drop) with another socket of this process.
      forceNew: true,
      reconnectionDelay: this.options.reconnectDelayMs ?? DEFAULT_RECONNECT_DELAY_MS,
      reconnectionDelayMax: this.options.reconnectDelayMaxMs ?? DEFAULT_RECONNECT_DELAY_MAX_MS,
      randomizationFactor: 0.5,
    });
    this.socket = socket;
    socket.on('connect', () => this.connected(socket));
    socket.on('connect_error', (error) => this.connectFailed(socket, error));
    socket.on('disconnect', (reason) => this.disconnected(socket, reason));
    socket.on(OZZOBIT_UPDATE_EVENT, (payload: unknown) => this.receive(payload));
    this.refreshTimer = setInterval(() => void this.refresh(), this.refreshMs);
    void this.refresh();
  }

  private connected(socket: Socket): void {
    this.connections += 1;
    this.failedConnects = 0;
    this.report = { state: 'up', reason: null };
    this.acknowledged = new Set();
    this.logger.info('connected to OZZOBiT socket.io; subscribing tracked orders', { connection: this.connections, orders: this.tracked.size });
    for (const orderId of this.tracked) this.subscribe(socket, orderId);
    void this.refresh(); // orders that started while we were away
  }

  private connectFailed(socket: Socket, error: Error): void {
    if (this.stopped) return;
    if (socket.active) {
      // Transport-level (OZZOBiT unreachable): socket.io retries with backoff by itself.
      this.failedConnects += 1;
      this.report = { state: 'connecting', reason: `cannot reach OZZOBiT socket.io (${error.message}); retrying` };
      this.logger.warn('cannot reach OZZOBiT socket.io; retrying', { attempt: this.failedConnects, error: error.message });
      return;
    }
    // The server answered and refused (namespace middleware): socket.io will not retry, and neither do we.
    const hint = /namespace/i.test(error.message)
      ? `check OZZOBIT_WS_URL (its path names the namespace, e.g. …/ws) and OZZOBIT_API_KEY`
      : 'check OZZOBIT_API_KEY';
    this.fail(new OzzobitSocketRefusedError(`OZZOBiT refused the socket.io connection to ${this.options.wsUrl} (${JSON.stringify(error.message)}): ${hint}`));
  }

  private disconnected(socket: Socket, reason: Socket.DisconnectReason): void {
    this.acknowledged = new Set();
    if (this.stopped) return;
    this.report = { state: 'connecting', reason: `connection lost (${reason}); reconnecting` };
    if (reason === 'io server disconnect') {
      // OZZOBiT closed the session on purpose; socket.io leaves reconnecting to us. A revoked key
      // is then refused at connect and stops the bridge.
      const delayMs = this.options.reconnectDelayMs ?? DEFAULT_RECONNECT_DELAY_MS;
      this.logger.warn('OZZOBiT closed the socket.io session; reconnecting', { delayMs });
      this.serverDisconnectTimer = setTimeout(() => {
        if (!this.stopped) socket.connect();
      }, delayMs);
      return;
    }
    this.logger.warn('OZZOBiT socket.io connection lost; reconnecting', { reason });
  }

  /** Lists the tracked orders and brings the subscriptions in line; one refresh at a time. */
  private refresh(): Promise<void> {
    this.refreshing ??= this.listAndSubscribe().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async listAndSubscribe(): Promise<void> {
    let tracked: ReadonlySet<string>;
    try {
      tracked = await this.options.trackedOrders();
    } catch (error) {
      if (!this.stopped) {
        this.logger.warn('could not list tracked OZZOBiT orders through visibility; keeping the current subscriptions', {
          error: errorText(error),
        });
      }
      return;
    }
    if (this.stopped) return;
    const { subscribe, unsubscribe } = planSubscriptions(this.tracked, tracked);
    // Set first: a connect from here on subscribes the new set itself.
    this.tracked = tracked;
    const socket = this.socket;
    if (socket === undefined) return;
    for (const orderId of unsubscribe) {
      this.acknowledged.delete(orderId);
      // Not in the seed; a server without it ignores the event. A late push for an ended order starts nothing anyway.
      if (socket.connected) socket.emit(OZZOBIT_UNSUBSCRIBE_EVENT, { orderId });
    }
    for (const orderId of subscribe) this.subscribe(socket, orderId);
    if (subscribe.length > 0 || unsubscribe.length > 0) {
      this.logger.info('OZZOBiT subscriptions updated', { subscribed: subscribe.length, unsubscribed: unsubscribe.length, tracked: tracked.size });
    }
  }

  /** Sent only while connected: every connect subscribes all tracked orders anyway. */
  private subscribe(socket: Socket, orderId: string): void {
    if (!socket.connected) return;
    const connection = this.connections;
    socket.timeout(ACK_TIMEOUT_MS).emit(OZZOBIT_SUBSCRIBE_EVENT, { orderId }, (error: Error | null, reply?: { ok?: unknown; error?: unknown }) => {
      if (error !== null || connection !== this.connections || !this.tracked.has(orderId)) return;
      if (reply?.ok === false) {
        this.logger.warn('OZZOBiT refused a subscription', { orderKey: orderKey('ozzobit', orderId), error: String(reply.error) });
        return;
      }
      this.acknowledged.add(orderId);
    });
  }

  private receive(payload: unknown): void {
    if (this.stopped) return;
    const parsed = parseOzzobitUpdate(payload, Date.now(), undefined, this.options.clock);
    if (!parsed.ok) {
      this.count('malformed');
      this.logger.warn('ignored an order:update', { reason: parsed.reason });
      return;
    }
    void this.deliver(parsed.orderId, parsed.observation);
  }

  protected async closeConnection(): Promise<void> {
    this.abandon();
    await this.refreshing;
  }

  protected abandon(): void {
    clearInterval(this.refreshTimer);
    clearTimeout(this.serverDisconnectTimer);
    this.socket?.disconnect();
  }
}

/** What changes between the orders subscribed now and the ones tracked now. Pure. */
export function planSubscriptions(subscribed: ReadonlySet<string>, tracked: ReadonlySet<string>): { subscribe: string[]; unsubscribe: string[] } {
  return {
    subscribe: [...tracked].filter((orderId) => !subscribed.has(orderId)),
    unsubscribe: [...subscribed].filter((orderId) => !tracked.has(orderId)),
  };
}
