/**
 * Notices when a Houdini order's status changes, so the simulator can push it. Request-count steps
 * change when a REST answer is counted (the caller checks that order then); timed steps change on
 * their own, so a ticker wakes at the next step's end even when nobody polls. Every status an order
 * passed through is reported in order, even when several steps ended between two looks.
 */
import type { OrderBook, OrderSnapshot } from './order-book';
import type { HoudiniOrderScript } from './houdini-order';
import { fieldsAt } from './scenario';

type Render = (snapshot: OrderSnapshot<HoudiniOrderScript>) => Record<string, unknown>;
type OnChange = (orderId: string, order: Record<string, unknown>, previous: Record<string, unknown>) => void;

const MAX_TIMER_MS = 3_600_000;

interface Seen {
  stepIndex: number;
  /** The order as it was when its status last changed (what an out-of-order push re-sends). */
  order: Record<string, unknown>;
}

export class StatusChangeFeed {
  private readonly seen = new Map<string, Seen>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private closed = false;

  constructor(
    private readonly orders: OrderBook<HoudiniOrderScript>,
    private readonly render: Render,
    private readonly onChange: OnChange,
  ) {}

  /** A new (or restarted) order: its first status is where it starts, not a change. */
  added(orderId: string, now: number): void {
    const snapshot = this.orders.snapshot(orderId, now);
    if (snapshot === undefined) return;
    this.seen.set(orderId, { stepIndex: snapshot.stepIndex, order: this.render(snapshot) });
    this.wakeAt(snapshot.stepEndsAt);
  }

  /** Reports every status change of the order since it was last looked at. */
  check(orderId: string, now: number): void {
    const snapshot = this.orders.snapshot(orderId, now);
    const seen = this.seen.get(orderId);
    if (snapshot === undefined || seen === undefined) return;
    for (let index = seen.stepIndex + 1; index <= snapshot.stepIndex; index += 1) {
      const order = this.render(index === snapshot.stepIndex ? snapshot : stepSnapshot(snapshot, index));
      if (order.status !== seen.order.status) {
        const previous = seen.order;
        seen.order = order;
        this.onChange(orderId, order, previous);
      }
      seen.stepIndex = index;
    }
    this.wakeAt(snapshot.stepEndsAt);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private tick(): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = Date.now();
    for (const orderId of this.seen.keys()) this.check(orderId, now);
  }

  private wakeAt(time: number | undefined): void {
    if (time === undefined || this.closed || time >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = time;
    // A millisecond late, so the step has certainly ended when we look; a far-off end is re-planned
    // hourly (setTimeout cannot wait longer than ~24 days).
    const delay = Math.min(Math.max(0, time - Date.now()) + 1, MAX_TIMER_MS);
    this.timer = setTimeout(() => this.tick(), delay);
    this.timer.unref();
  }
}

/** The order as it stood at an earlier step of its script. */
function stepSnapshot(latest: OrderSnapshot<HoudiniOrderScript>, index: number): OrderSnapshot<HoudiniOrderScript> {
  const step = latest.script.steps[index];
  if (step === undefined) throw new Error(`script ${latest.script.id} has no step ${index}`);
  return { script: latest.script, addedAt: latest.addedAt, stepIndex: index, step, fields: fieldsAt(latest.script, index) };
}
