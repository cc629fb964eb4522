/**
 * What Houdini's WebSocket sends (seed 003: `welcome`, `subscribed`, `unsubscribed`, `pong`,
 * `error`, `order_update`), read into a typed message. Pure. An `order_update` is checked against
 * the same order schema the poll activity uses; anything that does not fit is reported, never
 * thrown, so one bad frame cannot take the bridge down.
 */
import { z } from 'zod';
import { describeSchemaIssues } from '../schema-issues';
import { HANDSHAKE_MALFORMED_STATUS, HANDSHAKE_MISSING_STATUS, type HoudiniServerFrameType } from './houdini-protocol';
import { type HoudiniOrder, houdiniOrderUpdateSchema } from './houdini-schema';

export type HoudiniServerMessage =
  | { type: 'welcome' }
  | { type: 'subscribed' }
  | { type: 'unsubscribed' }
  | { type: 'pong' }
  | { type: 'error'; code: string; message: string }
  /** `answer`: the whole message as it arrived, for the audit trail. */
  | { type: 'order_update'; order: HoudiniOrder; answer: unknown }
  /** A type the seed does not list: Houdini may add some, and they are nothing to act on. */
  | { type: 'unknown'; name: string };

export type ParsedServerMessage = { ok: true; message: HoudiniServerMessage } | { ok: false; reason: string };

/** Handshake statuses that mean the credentials, not the network: 401 missing, 400 malformed (seed), 403 refused. */
export const REFUSED_HANDSHAKE_STATUSES: ReadonlySet<number> = new Set([HANDSHAKE_MALFORMED_STATUS, HANDSHAKE_MISSING_STATUS, 403]);

/** Longer than any order update we expect; a bigger frame is not Houdini talking to us. */
export const MAX_MESSAGE_CHARACTERS = 256 * 1024;

const envelopeSchema = z.object({ type: z.string().min(1) }).passthrough();
const errorSchema = z.object({ code: z.string().nullish(), message: z.string().nullish() }).passthrough();

export function parseHoudiniServerMessage(text: string): ParsedServerMessage {
  if (text.length > MAX_MESSAGE_CHARACTERS) return { ok: false, reason: `message of ${text.length} characters is too long` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'message is not JSON' };
  }
  const envelope = envelopeSchema.safeParse(value);
  if (!envelope.success) return { ok: false, reason: 'message is not an object with a type' };
  // A frame type the protocol names, or one Houdini added since (the default case).
  const type = envelope.data.type as HoudiniServerFrameType;
  switch (type) {
    case 'welcome':
    case 'subscribed':
    case 'unsubscribed':
    case 'pong':
      return { ok: true, message: { type } };
    case 'error': {
      const error = errorSchema.parse(value);
      return { ok: true, message: { type, code: error.code ?? 'UNKNOWN', message: error.message ?? '' } };
    }
    case 'order_update': {
      const update = houdiniOrderUpdateSchema.safeParse(value);
      if (!update.success) return { ok: false, reason: `order_update does not match the order schema: ${describeSchemaIssues(update.error)}` };
      return { ok: true, message: { type, order: update.data.data, answer: value } };
    }
    default:
      return { ok: true, message: { type: 'unknown', name: envelope.data.type.slice(0, 64) } };
  }
}
