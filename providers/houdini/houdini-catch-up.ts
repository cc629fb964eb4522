/**
 * Catching up after a gap in the Houdini socket. Houdini keeps no subscription across a disconnect
 * and does not replay what it sent meanwhile (seed 003: "Optionally call GET /v2/orders to catch any
 * updates you missed"), so after every (re)connection the bridge reads the order list and pushes
 * the current state of each order that is being tracked.
 *
 * Only tracked orders: the account's list holds every order it ever had, and a push is
 * signal-with-start, so pushing all of them would start tracking hundreds of old orders. A live
 * `order_update` for an untracked order still starts tracking it; that is a change happening now.
 */
import type { Observation } from '../../domain/types';
import type { TrackedOrders } from '../push/push-channel';
import { type PushLogger, errorText } from '../push/push-logger';
import type { HoudiniAdapter } from './houdini-client';

export interface CatchUpOptions {
  adapter: Pick<HoudiniAdapter, 'listOrders'>;
  trackedOrders: TrackedOrders;
  /** Delivers one observation (the bridge's per-order queue, then `OrderTracker.push`). */
  deliver: (orderId: string, observation: Observation) => Promise<void>;
  /** Waits for the provider's budget before each page (the ingress's share of the request slots). */
  beforePage?: () => Promise<void>;
  signal?: AbortSignal;
}

export interface CatchUpResult {
  listed: number;
  pushed: number;
}

export async function catchUpHoudini(options: CatchUpOptions): Promise<CatchUpResult> {
  const listed = await options.adapter.listOrders(options.signal, options.beforePage);
  if (listed.length === 0) return { listed: 0, pushed: 0 };
  const tracked = await options.trackedOrders();
  const due = listed.filter((entry) => tracked.has(entry.order.houdiniId));
  // A final status is pushed too: it is exactly the update the gap may have swallowed.
  await Promise.all(due.map((entry) => options.deliver(entry.order.houdiniId, entry.observation)));
  return { listed: listed.length, pushed: due.length };
}

/**
 * Runs catch-ups one at a time: a reconnect during a catch-up asks for one more afterwards (its
 * gap may have started after the running one read the list), never for two in parallel.
 */
export class CatchUpLoop {
  private running: Promise<void> | undefined;
  private again = false;
  private readonly controller = new AbortController();

  constructor(
    private readonly logger: PushLogger,
    private readonly once: (signal: AbortSignal) => Promise<{ listed: number; pushed: number }>,
  ) {}

  request(): void {
    if (this.controller.signal.aborted) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        const { listed, pushed } = await this.once(this.controller.signal);
        this.logger.info('caught up through GET /v2/orders', { listed, pushed });
      } catch (error) {
        if (this.controller.signal.aborted) return;
        this.logger.warn('catch-up through GET /v2/orders failed; tracked orders will see missed updates at their next poll', {
          error: errorText(error),
        });
      }
    } while (this.again && !this.controller.signal.aborted);
  }
}
