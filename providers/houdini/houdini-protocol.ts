/**
 * Houdini's wire protocol (seed 003) as both ends speak it: the adapter and the push bridge here,
 * and the simulator (sandbox/houdini.ts, sandbox/houdini-socket.ts) take the frames, codes and
 * credentials header from this file, so the two cannot drift apart on a fact of the wire. What a
 * frame *means* stays apart: the bridge reads an `order_update` with the poll's order schema
 * (houdini-messages.ts), and the simulator renders orders and parses client frames its own way, so
 * a wrong reading of the seed still shows up as a failing test instead of being mirrored on both sides.
 */
import type { RawData } from 'ws';

/** What the client sends: `subscribe` without ids is every order of the account; `ping` asks for a `pong`. */
export type HoudiniClientFrame =
  | { type: 'subscribe'; houdiniIds?: string[] }
  | { type: 'unsubscribe'; houdiniIds?: string[] }
  | { type: 'ping' };

/** Houdini's error codes on the socket. */
export const AUTH_FAILED = 'AUTH_FAILED';
export type HoudiniSocketErrorCode = typeof AUTH_FAILED | 'INVALID_MESSAGE' | 'UNKNOWN_MESSAGE_TYPE';

/** What the server sends; an `order_update` carries the full order, the shape of `GET /v2/orders/{houdiniId}`. */
export type HoudiniServerFrame =
  | { type: 'welcome'; partnerId?: string; message?: string }
  | { type: 'subscribed' | 'unsubscribed'; all?: true; houdiniIds?: string[] }
  | { type: 'pong' }
  | { type: 'error'; code: HoudiniSocketErrorCode; message: string }
  | { type: 'order_update'; data: unknown };

export type HoudiniServerFrameType = HoudiniServerFrame['type'];

/** Invalid credentials: an `error` frame with AUTH_FAILED, then the connection closes with this code. */
export const AUTH_FAILED_CLOSE_CODE = 4401;

/** The upgrade's `Authorization` header is missing (401) or not `partnerId:secret` (400): no WebSocket at all. */
export const HANDSHAKE_MISSING_STATUS = 401;
export const HANDSHAKE_MALFORMED_STATUS = 400;

/** `Authorization` on the handshake, exactly `partnerId:secret` with no scheme (as on REST). */
export function houdiniAuthorization(partnerId: string, secret: string): string {
  return `${partnerId}:${secret}`;
}

/** A frame as `ws` hands it over, as text. */
export function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
