/**
 * Faults of the OZZOBiT simulator's push side (webhooks and socket.io), so tests can prove that the
 * ingress and bridges cope with what push channels really do: deliver twice, deliver late, drop.
 * Kept apart from the HTTP faults (faults.ts): a push fault must never be used up by a poll.
 *
 * One fault is taken per status change of the order (not per channel): `count` is how many
 * status changes it hits; without it, it lasts until cleared. Order faults win over global ones.
 */
import { z } from 'zod';

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

const GLOBAL = Symbol('global');
type Scope = string | typeof GLOBAL;

interface ActiveFault {
  fault: OzzobitPushFault;
  remaining?: number;
}

/** Same queueing rules as FaultBoard (faults.ts), for push faults. */
export class PushFaultBoard {
  private readonly queues = new Map<Scope, ActiveFault[]>();

  /** Validates (throws a ZodError) and adds a fault for one order, or for all orders. */
  set(fault: unknown, orderId?: string): void {
    const parsed = ozzobitPushFaultSchema.parse(fault);
    const scope = orderId ?? GLOBAL;
    const queue = this.queues.get(scope) ?? [];
    queue.push({ fault: parsed, remaining: parsed.count });
    this.queues.set(scope, queue);
  }

  clear(orderId?: string): void {
    if (orderId === undefined) this.queues.clear();
    else this.queues.delete(orderId);
  }

  /** The fault that hits this order's status change, used up by one. */
  take(orderId: string): OzzobitPushFault | undefined {
    return this.takeFrom(orderId) ?? this.takeFrom(GLOBAL);
  }

  private takeFrom(scope: Scope): OzzobitPushFault | undefined {
    const queue = this.queues.get(scope);
    const active = queue?.[0];
    if (queue === undefined || active === undefined) return undefined;
    if (active.remaining !== undefined) {
      active.remaining -= 1;
      if (active.remaining <= 0) queue.shift();
      if (queue.length === 0) this.queues.delete(scope);
    }
    return active.fault;
  }
}
