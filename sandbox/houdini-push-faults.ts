/**
 * Faults of Houdini's WebSocket pushes, and the log of every push sent, so tests can prove the push
 * bridge copes with what a real socket does: the same update twice, an older status after a newer
 * one, a connection that drops just when an update was due.
 *
 * A push fault hits the next `count` status changes of its scope (one order, or every order) that
 * someone is subscribed to; without `count` it lasts until cleared. Same queueing as FaultBoard:
 * per scope in the order set, an order's own faults before global ones.
 */
import { z } from 'zod';
import { ScopedFaultBoard } from './faults';

const count = z.number().int().positive().optional();

export const pushFaultSchema = z.discriminatedUnion('kind', [
  /** Every `order_update` of the change is sent twice. */
  z.object({ kind: z.literal('duplicate_push'), count }).strict(),
  /** After the new status, the previous status is sent again: an older update arriving late. */
  z.object({ kind: z.literal('out_of_order_push'), count }).strict(),
  /** The subscribed connections are dropped (no close frame) instead of receiving the update. */
  z.object({ kind: z.literal('drop_socket'), count }).strict(),
]);

export type PushFault = z.infer<typeof pushFaultSchema>;
export type PushFaultKind = PushFault['kind'];

export const PUSH_FAULT_KINDS: readonly string[] = pushFaultSchema.options.map((option) => option.shape.kind.value);

export function isPushFault(fault: { kind: string }): fault is PushFault {
  return PUSH_FAULT_KINDS.includes(fault.kind);
}

/** Same queueing rules as the HTTP faults; one fault is taken per push. */
export class PushFaultBoard extends ScopedFaultBoard<PushFault> {
  constructor() {
    super(pushFaultSchema);
  }
}

export interface PushLogEntry {
  /** Date.now() when the message was sent (or the connection dropped). */
  at: number;
  orderId: string;
  /** The numeric status in the pushed order. */
  status: number;
  /** Which WebSocket connection (numbered from 1 per sandbox). */
  connection: number;
  /** `update` is the normal push; the others come from a push fault. */
  kind: 'update' | 'duplicate' | 'stale' | 'dropped';
}

export class PushLog {
  private readonly entries: PushLogEntry[] = [];

  record(entry: PushLogEntry): void {
    this.entries.push({ ...entry });
  }

  list(orderId?: string): PushLogEntry[] {
    return this.entries.filter((entry) => orderId === undefined || entry.orderId === orderId).map((entry) => ({ ...entry }));
  }
}
