/**
 * The simulator's side of Houdini's WebSocket subscriptions (seed 003), as pure functions: reading a
 * client frame (its shapes: providers/houdini/houdini-protocol.ts), and what `subscribe` /
 * `unsubscribe` do to a connection's subscription.
 *
 * Rules, from the seed:
 * - `subscribe` without `houdiniIds` → all orders; with ids → adds them (subscriptions are additive).
 *   Our reading: adding ids while subscribed to all changes nothing (all already covers them).
 * - `unsubscribe` without ids → none; with ids → removes them, except that while subscribed to all
 *   it resets the subscription to none ("re-subscribe after unsubscribing").
 * - Invalid JSON or a missing `type` → INVALID_MESSAGE; an unknown `type` → UNKNOWN_MESSAGE_TYPE.
 *   Our reading: `houdiniIds` that is not an array of non-empty strings is INVALID_MESSAGE too.
 */
import type { HoudiniClientFrame, HoudiniServerFrame, HoudiniSocketErrorCode } from '../providers/houdini/houdini-protocol';

export type Subscription = { kind: 'none' } | { kind: 'all' } | { kind: 'some'; houdiniIds: ReadonlySet<string> };

export const NO_SUBSCRIPTION: Subscription = { kind: 'none' };

export type ParsedClientMessage = { ok: true; message: HoudiniClientFrame } | { ok: false; code: HoudiniSocketErrorCode; message: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseClientMessage(text: string): ParsedClientMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: 'INVALID_MESSAGE', message: 'Message is not valid JSON' };
  }
  if (!isRecord(value) || typeof value.type !== 'string' || value.type === '') {
    return { ok: false, code: 'INVALID_MESSAGE', message: 'Message is missing the type field' };
  }
  switch (value.type) {
    case 'ping':
      return { ok: true, message: { type: 'ping' } };
    case 'subscribe':
    case 'unsubscribe': {
      const { houdiniIds } = value;
      if (houdiniIds === undefined || houdiniIds === null) return { ok: true, message: { type: value.type } };
      if (!Array.isArray(houdiniIds) || !houdiniIds.every((id) => typeof id === 'string' && id !== '')) {
        return { ok: false, code: 'INVALID_MESSAGE', message: 'houdiniIds must be an array of order ids' };
      }
      return { ok: true, message: { type: value.type, houdiniIds: houdiniIds as string[] } };
    }
    default:
      return { ok: false, code: 'UNKNOWN_MESSAGE_TYPE', message: `Unknown message type: ${value.type.slice(0, 64)}` };
  }
}

export function subscribe(current: Subscription, houdiniIds?: readonly string[]): Subscription {
  if (houdiniIds === undefined || current.kind === 'all') return { kind: 'all' };
  const ids = new Set(current.kind === 'some' ? current.houdiniIds : []);
  for (const id of houdiniIds) ids.add(id);
  return ids.size === 0 ? NO_SUBSCRIPTION : { kind: 'some', houdiniIds: ids };
}

export function unsubscribe(current: Subscription, houdiniIds?: readonly string[]): Subscription {
  if (houdiniIds === undefined || current.kind !== 'some') return NO_SUBSCRIPTION;
  const ids = new Set(current.houdiniIds);
  for (const id of houdiniIds) ids.delete(id);
  return ids.size === 0 ? NO_SUBSCRIPTION : { kind: 'some', houdiniIds: ids };
}

export function covers(subscription: Subscription, houdiniId: string): boolean {
  if (subscription.kind === 'all') return true;
  return subscription.kind === 'some' && subscription.houdiniIds.has(houdiniId);
}

/** The confirmation for a subscribe or unsubscribe: `all: true` when it was about every order. */
export function confirmation(type: 'subscribed' | 'unsubscribed', houdiniIds?: readonly string[]): HoudiniServerFrame {
  return houdiniIds === undefined ? { type, all: true } : { type, houdiniIds: [...houdiniIds] };
}

/**
 * `Authorization` as the upgrade carries it: missing (HTTP 401), malformed (HTTP 400: not
 * `partnerId:secret` with both parts non-empty), or well-formed (verified after connecting).
 * The secret may contain `:`; the partner id ends at the first one.
 */
export function readAuthorization(header: string | undefined): { kind: 'missing' } | { kind: 'malformed' } | { kind: 'credentials'; partnerId: string; secret: string } {
  if (header === undefined || header === '') return { kind: 'missing' };
  const separator = header.indexOf(':');
  const partnerId = header.slice(0, separator);
  const secret = header.slice(separator + 1);
  if (separator <= 0 || secret === '' || /\s/.test(header)) return { kind: 'malformed' };
  return { kind: 'credentials', partnerId, secret };
}
