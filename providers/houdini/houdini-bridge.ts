/**
 * The Houdini push bridge (seed 003): one WebSocket to Houdini's order-update endpoint, subscribed
 * to every order of the partner account; each `order_update` becomes `OrderTracker.push` (`statusPushed`
 * to the open run, else signal-with-start after a ledger check). A push is only a hint: the workflow applies it
 * by rank and confirms a final status by polling, so duplicates, stale updates and a second bridge
 * replica doing the same work are all harmless.
 *
 * Connection life: handshake with `Authorization: partnerId:secret` → `welcome` → `subscribe` (no
 * ids = all orders) → `subscribed` → catch up through `GET /v2/orders` (houdini-catch-up.ts) → live
 * updates, with a `ping` keepalive. A drop of any kind reconnects after a jittered, capped backoff
 * and starts over (Houdini forgets subscriptions with the connection). Refused credentials (close
 * 4401 / AUTH_FAILED, or HTTP 400/401/403 on the handshake) end `run()` with an authentication error
 * instead: retrying cannot fix them, and a retry loop would only hammer Houdini.
 */
import WebSocket, { type RawData } from 'ws';
import { withAnswer } from '../provider-answer';
import type { ProviderClock } from '../provider-clock';
import type { PushBridge, TrackedOrders } from '../push/push-channel';
import { errorText } from '../push/push-logger';
import { SocketBridge, type SocketBridgeOptions } from '../push/socket-bridge';
import { type BackoffSettings, reconnectDelayMs, resolveBackoff } from './houdini-backoff';
import { CatchUpLoop, catchUpHoudini } from './houdini-catch-up';
import type { HoudiniAdapter } from './houdini-client';
import { type Keepalive, startKeepalive } from './houdini-keepalive';
import { MAX_MESSAGE_CHARACTERS, REFUSED_HANDSHAKE_STATUSES, parseHoudiniServerMessage } from './houdini-messages';
import { normalizeHoudiniOrder } from './houdini-observation';
import { AUTH_FAILED, AUTH_FAILED_CLOSE_CODE, type HoudiniClientFrame, houdiniAuthorization, rawText } from './houdini-protocol';

export interface HoudiniBridgeOptions extends SocketBridgeOptions {
  /** HOUDINI_WS_URL, e.g. wss://…/ws */
  wsUrl: string;
  partnerId: string;
  secret: string;
  /** For the catch-up after a gap; without it (no HOUDINI_URL) missed updates wait for the next poll. */
  adapter?: Pick<HoudiniAdapter, 'listOrders'>;
  /** The orders being tracked: the catch-up pushes those it lists; needed with `adapter`. */
  trackedOrders?: TrackedOrders;
  /** Waits for Houdini's request budget before each page of the catch-up (shared with the workers' polls). */
  beforeListPage?: () => Promise<void>;
  /** Wall time to Houdini's (SANDBOX_TIME_SCALE against the sandbox), as the poll's (provider-clock.ts). */
  clock?: ProviderClock;
  pingIntervalMs?: number;
  /** How long a `pong` (and the `welcome` after a handshake) may take before the connection counts as dead. */
  pongTimeoutMs?: number;
  backoff?: Partial<BackoffSettings>;
}

/** Houdini refused the partner credentials: fix HOUDINI_PARTNER_ID / HOUDINI_SECRET and restart. */
export class HoudiniAuthenticationError extends Error {
  override readonly name = 'HoudiniAuthenticationError';
}

/**
 * A silently dead connection is noticed within interval + timeout (30 s), about one poll interval,
 * and costs Houdini one tiny message per 20 s; what it missed comes back through the catch-up.
 */
const DEFAULT_PING_INTERVAL_MS = 20_000;
const DEFAULT_PONG_TIMEOUT_MS = 10_000;
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** A connection that stayed up this long was healthy: the next drop retries from the first step. */
const STABLE_CONNECTION_MS = 60_000;
/** `stop()` sends a close frame; a server that does not answer it is cut off after this. */
const CLOSE_GRACE_MS = 2_000;

/** What one connection attempt learned, read when it closes. */
interface Attempt {
  socket: WebSocket;
  openedAt?: number;
  /** Why Houdini refused the credentials, when it did. */
  refusal?: string;
  /** What went wrong first (the cause), for the reconnect log line. */
  problem?: string;
  welcomeTimer?: NodeJS.Timeout;
  keepalive?: Keepalive;
}

export function createHoudiniBridge(options: HoudiniBridgeOptions): PushBridge {
  return new HoudiniBridge(options);
}

class HoudiniBridge extends SocketBridge {
  private readonly backoff: BackoffSettings;
  private readonly pingIntervalMs: number;
  private readonly pongTimeoutMs: number;
  private readonly catchUp: CatchUpLoop | undefined;
  private current: Attempt | undefined;
  private failedAttempts = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: HoudiniBridgeOptions) {
    super('houdini', options);
    this.backoff = resolveBackoff(options.backoff);
    this.pingIntervalMs = options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
    this.pongTimeoutMs = options.pongTimeoutMs ?? DEFAULT_PONG_TIMEOUT_MS;
    const { adapter, trackedOrders } = options;
    if (adapter !== undefined && trackedOrders !== undefined) {
      this.catchUp = new CatchUpLoop(this.logger, (signal) =>
        catchUpHoudini({ adapter, trackedOrders, signal, beforePage: options.beforeListPage, deliver: (orderId, observation) => this.deliver(orderId, observation) }),
      );
    } else {
      this.logger.warn('no catch-up after a gap (needs HOUDINI_URL and a Temporal client); updates missed while disconnected wait for the next poll');
    }
  }

  protected start(): void {
    this.connect();
  }

  protected async closeConnection(): Promise<void> {
    clearTimeout(this.reconnectTimer);
    await Promise.all([this.closeCurrent(), this.catchUp?.stop()]);
  }

  protected abandon(): void {
    clearTimeout(this.reconnectTimer);
    void this.catchUp?.stop();
  }

  private connect(): void {
    if (this.stopped) return;
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.options.wsUrl, {
        headers: { Authorization: houdiniAuthorization(this.options.partnerId, this.options.secret) },
        handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
        maxPayload: MAX_MESSAGE_CHARACTERS * 4, // UTF-8: up to 4 bytes a character
      });
    } catch (error) {
      // `ws` throws at once for a URL it cannot use: a configuration mistake, not worth retrying.
      this.fail(new Error(`HOUDINI_WS_URL ${JSON.stringify(this.options.wsUrl)} is not a usable WebSocket URL: ${errorText(error)}`));
      return;
    }
    const attempt: Attempt = { socket };
    this.current = attempt;
    socket.on('unexpected-response', (_request, response) => {
      const status = response.statusCode ?? 0;
      response.resume();
      if (REFUSED_HANDSHAKE_STATUSES.has(status)) attempt.refusal = `the WebSocket handshake was answered HTTP ${status}`;
      else attempt.problem = `the WebSocket handshake was answered HTTP ${status}`;
      socket.terminate(); // ends in 'close', where the attempt is judged
    });
    socket.on('open', () => {
      attempt.openedAt = Date.now();
      attempt.welcomeTimer = setTimeout(() => this.dead(attempt, 'no welcome after the handshake'), this.pongTimeoutMs);
    });
    socket.on('message', (data) => this.receive(attempt, data));
    socket.on('error', (error) => {
      // The first problem is the cause; aborting a refused handshake adds an error of its own.
      attempt.problem ??= error.message;
    });
    socket.on('close', (code, reason) => this.closed(attempt, code, reason.toString('utf8')));
  }

  private receive(attempt: Attempt, data: RawData): void {
    if (this.stopped) return; // stop() is draining the queue: nothing new joins it
    const parsed = parseHoudiniServerMessage(rawText(data));
    if (!parsed.ok) {
      this.count('malformed');
      this.logger.warn('ignored a message from Houdini', { reason: parsed.reason });
      return;
    }
    const { message } = parsed;
    switch (message.type) {
      case 'welcome':
        if (attempt.keepalive !== undefined) return; // one welcome per connection; a repeat changes nothing
        clearTimeout(attempt.welcomeTimer);
        // No houdiniIds: every order of the account, including ones nobody tracks yet.
        this.send(attempt, { type: 'subscribe' });
        attempt.keepalive = startKeepalive({
          intervalMs: this.pingIntervalMs,
          timeoutMs: this.pongTimeoutMs,
          sendPing: () => this.send(attempt, { type: 'ping' }),
          onDead: () => this.dead(attempt, `no pong within ${this.pongTimeoutMs} ms`),
        });
        return;
      case 'subscribed':
        this.logger.info('subscribed to all Houdini order updates');
        this.report = { state: 'up', reason: null };
        // Whatever changed before this moment is in the list; whatever changes after is pushed.
        this.catchUp?.request();
        return;
      case 'pong':
        attempt.keepalive?.pong();
        return;
      case 'error':
        if (message.code === AUTH_FAILED) attempt.refusal = `Houdini answered ${AUTH_FAILED}`;
        else this.logger.warn('Houdini reported an error', { code: message.code, message: message.message });
        return;
      case 'order_update': {
        void this.deliver(message.order.houdiniId, withAnswer(normalizeHoudiniOrder(message.order, Date.now(), true, this.options.clock), message.answer));
        return;
      }
      case 'unsubscribed':
      case 'unknown':
        return;
    }
  }

  private send(attempt: Attempt, message: HoudiniClientFrame): void {
    if (attempt.socket.readyState === WebSocket.OPEN) attempt.socket.send(JSON.stringify(message));
  }

  /** The connection is alive on paper only: cut it, and let 'close' reconnect. */
  private dead(attempt: Attempt, why: string): void {
    attempt.problem = why;
    attempt.socket.terminate();
  }

  private closed(attempt: Attempt, code: number, reason: string): void {
    clearTimeout(attempt.welcomeTimer);
    attempt.keepalive?.stop();
    if (this.current === attempt) this.current = undefined;
    if (this.stopped) return;
    if (code === AUTH_FAILED_CLOSE_CODE || attempt.refusal !== undefined) {
      const why = attempt.refusal ?? `the connection was closed with code ${code} (${reason || AUTH_FAILED})`;
      this.fail(
        new HoudiniAuthenticationError(
          `Houdini refused the partner credentials on its WebSocket (${why}): check HOUDINI_PARTNER_ID and HOUDINI_SECRET`,
        ),
      );
      return;
    }
    const stable = attempt.openedAt !== undefined && Date.now() - attempt.openedAt >= STABLE_CONNECTION_MS;
    this.failedAttempts = stable ? 1 : this.failedAttempts + 1;
    const delayMs = reconnectDelayMs(this.failedAttempts, this.backoff);
    this.report = { state: 'connecting', reason: `connection lost (${attempt.problem ?? `code ${code}`}); reconnecting` };
    this.logger.warn('Houdini connection lost; reconnecting', {
      code,
      reason: reason || undefined,
      problem: attempt.problem,
      attempt: this.failedAttempts,
      delayMs,
    });
    this.reconnectTimer = setTimeout(() => this.connect(), delayMs);
  }

  private async closeCurrent(): Promise<void> {
    const attempt = this.current;
    if (attempt === undefined) return;
    const { socket } = attempt;
    if (socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    if (socket.readyState === WebSocket.OPEN) socket.close(1000, 'bridge stopping');
    else socket.terminate();
    const grace = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
    await closed;
    clearTimeout(grace);
  }
}
