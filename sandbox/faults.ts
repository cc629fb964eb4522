/**
 * Faults a simulator can be told to inject, so tests can prove how the tracker copes with a
 * provider that throttles, fails, stalls, garbles or drops its answers.
 *
 * `count` is how many requests the fault hits before it is used up; without it, the fault lasts
 * until cleared. Faults are kept per scope (one order id, or global) in the order they were set:
 * the first one applies until used up, then the next. An order's own faults win over global ones.
 */
import { type ZodType, type ZodTypeDef, z } from 'zod';

const count = z.number().int().positive().optional();

export const faultSchema = z.discriminatedUnion('kind', [
  /** HTTP 429 with a `Retry-After` header in seconds. */
  z.object({ kind: z.literal('rate_limit'), retryAfterSeconds: z.number().int().nonnegative(), count }).strict(),
  /** HTTP 500. */
  z.object({ kind: z.literal('server_error'), count }).strict(),
  /** The normal answer, after a delay. */
  z.object({ kind: z.literal('slow'), delayMs: z.number().int().nonnegative(), count }).strict(),
  /** HTTP 200 whose body claims to be JSON but is not. */
  z.object({ kind: z.literal('malformed'), count }).strict(),
  /** HTTP 200 JSON whose order has wrong types and no status, as if the provider changed its schema. */
  z.object({ kind: z.literal('schema_drift'), count }).strict(),
  /** HTTP 401 even with the right credentials, as if the key was revoked. */
  z.object({ kind: z.literal('auth_refused'), count }).strict(),
  /** The connection is destroyed without an answer. */
  z.object({ kind: z.literal('reset'), count }).strict(),
]);

export type Fault = z.infer<typeof faultSchema>;
export type FaultKind = Fault['kind'];

const GLOBAL = Symbol('global');
type Scope = string | typeof GLOBAL;

/**
 * Faults queued per scope (one order id, or global), the first applying until used up; an order's
 * own faults win over global ones. Generic over the kind of fault (HTTP answers, pushes).
 */
export class ScopedFaultBoard<F extends { count?: number }> {
  private readonly queues = new Map<Scope, { fault: F; remaining?: number }[]>();

  constructor(private readonly schema: ZodType<F, ZodTypeDef, unknown>) {}

  /** Validates (throws a ZodError) and adds a fault for one order, or for all when `orderId` is omitted. */
  set(fault: unknown, orderId?: string): void {
    const parsed = this.schema.parse(fault);
    const scope = orderId ?? GLOBAL;
    this.queues.set(scope, [...(this.queues.get(scope) ?? []), { fault: parsed, remaining: parsed.count }]);
  }

  /** Clears one order's faults, or every fault (global and per order) when `orderId` is omitted. */
  clear(orderId?: string): void {
    if (orderId === undefined) this.queues.clear();
    else this.queues.delete(orderId);
  }

  /** The fault that hits this request or push, used up by one; undefined when it goes through. */
  take(orderId?: string): F | undefined {
    return (orderId !== undefined ? this.takeFrom(orderId) : undefined) ?? this.takeFrom(GLOBAL);
  }

  private takeFrom(scope: Scope): F | undefined {
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

/** The HTTP faults of a simulator's API. */
export class FaultBoard extends ScopedFaultBoard<Fault> {
  constructor() {
    super(faultSchema);
  }
}
