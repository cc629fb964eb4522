/**
 * Houdini's WebSocket endpoint for order status updates (seed 003), on the simulator's HTTP port.
 *
 * Handshake: `Authorization: partnerId:secret` on the HTTP upgrade. Missing → HTTP 401, malformed →
 * HTTP 400 (no WebSocket). Well-formed but wrong → the connection opens, gets
 * `{ type: 'error', code: 'AUTH_FAILED' }` and is closed with code 4401. Right → `welcome`.
 * Then `subscribe` / `unsubscribe` / `ping` (see houdini-subscriptions.ts), and `order_update` pushes
 * with the full order. Subscriptions live on the connection: a reconnect starts with none.
 */
import { STATUS_CODES } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { RawData } from 'ws';
import {
  AUTH_FAILED,
  AUTH_FAILED_CLOSE_CODE,
  HANDSHAKE_MALFORMED_STATUS,
  HANDSHAKE_MISSING_STATUS,
  type HoudiniServerFrame,
  type HoudiniSocketErrorCode,
  rawText,
} from '../providers/houdini/houdini-protocol';
import { houdiniErrorBody } from './houdini-order';
import { NO_SUBSCRIPTION, confirmation, covers, parseClientMessage, readAuthorization, subscribe, unsubscribe } from './houdini-subscriptions';
import type { Subscription } from './houdini-subscriptions';
import type { PushFaultBoard, PushLog, PushLogEntry } from './houdini-push-faults';
import { requestUrl } from './http-server';
import type { RequestLog } from './request-log';

/** Our reading: the seed does not name the path; `HOUDINI_WS_URL` is `ws://host:port/ws`. */
export const HOUDINI_WS_PATH = '/ws';
/** Client messages are tiny; a megabyte of ids is abuse. */
const MAX_MESSAGE_BYTES = 64 * 1024;

export interface HoudiniSocketOptions {
  partnerId: string;
  secret: string;
  /** Upgrades are logged beside the REST requests (without an order id). */
  log: RequestLog;
  pushes: PushLog;
  faults: PushFaultBoard;
}

interface Connection {
  id: number;
  socket: WebSocket;
  subscription: Subscription;
}

export class HoudiniSocketServer {
  private readonly server = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  /** Authenticated connections only: nobody else is ever pushed to. */
  private readonly connections = new Map<number, Connection>();
  private lastConnectionId = 0;

  constructor(private readonly options: HoudiniSocketOptions) {}

  /** For the HTTP server's `upgrade` event. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const at = Date.now();
    socket.on('error', () => socket.destroy());
    const refuse = (httpStatus: number, message: string): void => {
      this.options.log.record({ at, operation: 'websocket', httpStatus });
      rejectUpgrade(socket, httpStatus, message);
    };
    if (requestUrl(request).pathname !== HOUDINI_WS_PATH) return refuse(404, `No WebSocket endpoint at ${request.url ?? '/'}`);
    const authorization = readAuthorization(request.headers.authorization);
    if (authorization.kind === 'missing') return refuse(HANDSHAKE_MISSING_STATUS, 'Missing Authorization header');
    if (authorization.kind === 'malformed') return refuse(HANDSHAKE_MALFORMED_STATUS, 'Malformed Authorization header (must be partnerId:secret)');

    this.server.handleUpgrade(request, socket, head, (webSocket) => {
      this.lastConnectionId += 1;
      const id = this.lastConnectionId;
      webSocket.on('error', () => undefined); // a client that vanishes mid-frame is not our problem
      const valid = authorization.partnerId === this.options.partnerId && authorization.secret === this.options.secret;
      this.options.log.record({ at, operation: valid ? 'websocket' : 'websocket AUTH_FAILED', httpStatus: 101 });
      if (!valid) {
        sendError(webSocket, AUTH_FAILED, 'Invalid credentials');
        webSocket.close(AUTH_FAILED_CLOSE_CODE, AUTH_FAILED);
        return;
      }
      const connection: Connection = { id, socket: webSocket, subscription: NO_SUBSCRIPTION };
      this.connections.set(id, connection);
      webSocket.on('close', () => this.connections.delete(id));
      webSocket.on('message', (data) => this.receive(connection, data));
      send(webSocket, { type: 'welcome', partnerId: this.options.partnerId, message: 'Connected to Houdini order updates' });
    });
  }

  /**
   * Pushes a status change to every connection subscribed to the order, through the push faults.
   * `previous` is the order as last pushed (an older status), which `out_of_order_push` re-sends.
   */
  publish(orderId: string, order: Record<string, unknown>, previous: Record<string, unknown> | undefined): void {
    const recipients = [...this.connections.values()].filter(
      (connection) => connection.socket.readyState === WebSocket.OPEN && covers(connection.subscription, orderId),
    );
    if (recipients.length === 0) return; // nothing pushed, so no fault used up
    const fault = this.options.faults.take(orderId);
    for (const connection of recipients) {
      if (fault?.kind === 'drop_socket') {
        this.record(connection, orderId, order, 'dropped');
        this.drop(connection);
        continue;
      }
      this.push(connection, orderId, order, 'update');
      if (fault?.kind === 'duplicate_push') this.push(connection, orderId, order, 'duplicate');
      if (fault?.kind === 'out_of_order_push' && previous !== undefined) this.push(connection, orderId, previous, 'stale');
    }
  }

  /** Drops every connection without a close frame, as a network failure would; returns how many. */
  dropAll(): number {
    const connections = [...this.connections.values()];
    for (const connection of connections) this.drop(connection);
    return connections.length;
  }

  close(): void {
    for (const client of this.server.clients) client.terminate();
    this.connections.clear();
    this.server.close();
  }

  private receive(connection: Connection, data: RawData): void {
    const parsed = parseClientMessage(rawText(data));
    if (!parsed.ok) return sendError(connection.socket, parsed.code, parsed.message);
    const { message } = parsed;
    switch (message.type) {
      case 'ping':
        return send(connection.socket, { type: 'pong' });
      case 'subscribe':
        connection.subscription = subscribe(connection.subscription, message.houdiniIds);
        return send(connection.socket, confirmation('subscribed', message.houdiniIds));
      case 'unsubscribe':
        connection.subscription = unsubscribe(connection.subscription, message.houdiniIds);
        return send(connection.socket, confirmation('unsubscribed', message.houdiniIds));
    }
  }

  private push(connection: Connection, orderId: string, order: Record<string, unknown>, kind: PushLogEntry['kind']): void {
    this.record(connection, orderId, order, kind);
    send(connection.socket, { type: 'order_update', data: order });
  }

  private record(connection: Connection, orderId: string, order: Record<string, unknown>, kind: PushLogEntry['kind']): void {
    const status = typeof order.status === 'number' ? order.status : Number.NaN;
    this.options.pushes.record({ at: Date.now(), orderId, status, connection: connection.id, kind });
  }

  private drop(connection: Connection): void {
    this.connections.delete(connection.id);
    connection.socket.terminate();
  }
}

function send(socket: WebSocket, message: HoudiniServerFrame): void {
  if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

function sendError(socket: WebSocket, code: HoudiniSocketErrorCode, message: string): void {
  send(socket, { type: 'error', code, message });
}

/** An HTTP answer instead of the upgrade, as `ws` itself writes one. */
function rejectUpgrade(socket: Duplex, httpStatus: number, message: string): void {
  const body = JSON.stringify(houdiniErrorBody(httpStatus, message));
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${httpStatus} ${STATUS_CODES[httpStatus] ?? ''}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
