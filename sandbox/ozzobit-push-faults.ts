/**
 * Faults of the OZZOBiT simulator's push side (webhooks and socket.io), so tests can prove that the
 * ingress and bridges cope with what push channels really do: deliver twice, deliver late, drop.
 * Kept apart from the HTTP faults (faults.ts): a push fault must never be used up by a poll.
 *
 * One fault is taken per status change of the order (not per channel): `count` is how many
 * status changes it hits; without it, it lasts until cleared. Order faults win over global ones.
 */
import { z } from 'zod';
import { ScopedFaultBoard } from './faults';

const count = z.number().int().positive().optional();

export const ozzobitPushFaultSchema = z.discriminatedUnion('kind', [
  /** The webhook and the socket update are each sent twice. */
  z.object({ kind: z.literal('duplicate_push'), count }).strict(),
  /** After the new status, the previous status is pushed again (webhook and socket): out of order. */
  z.object({ kind: z.literal('stale_push'), count }).strict(),
  /** The sockets subscribed to the order are dropped (transport closed) instead of getting the update. */
  z.object({ kind: z.literal('drop_socket'), count }).strict(),
]);

export type OzzobitPushFault = z.infer<typeof ozzobitPushFaultSchema>;
export type OzzobitPushFaultKind = OzzobitPushFault['kind'];

const PUSH_FAULT_KINDS: ReadonlySet<string> = new Set(['duplicate_push', 'stale_push', 'drop_socket']);

export function isOzzobitPushFault(fault: { kind: string }): fault is OzzobitPushFault {
  return PUSH_FAULT_KINDS.has(fault.kind);
}

/** Same queueing rules as the HTTP faults; one fault is taken per status change. */
export class PushFaultBoard extends ScopedFaultBoard<OzzobitPushFault> {
  constructor() {
    super(ozzobitPushFaultSchema);
  }
}
