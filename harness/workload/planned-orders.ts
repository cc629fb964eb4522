/**
 * The scripted orders the crash and fault runs play (successes, failures, timeouts, cancels by
 * signal, orders tracked twice at once, a Temporal cancel during fulfilment), spread over a start
 * window, with the outcome each must end as. Seeded (random.ts, the generator the bench's corpus draws
 * from too): a run can be played again.
 */
import type { Step } from '../../sandbox/scenario';
import type { OrderScript } from '../../sandbox/scenario';
import type { Outcome, ProviderName } from '../../domain/types';
import { type Random, between, pick } from './random';

const SECOND = 1_000;

/** What each simulated provider plays: in-flight statuses (fast-polled ones first) and verdicts. */
export interface ProviderProfile {
  inFlight: readonly string[];
  succeeded: readonly string[];
  failed: readonly string[];
  /** In-flight steps before a verdict. */
  maxInFlightSteps: number;
  /** Provider-specific script fields. */
  scriptExtras?: Record<string, unknown>;
}

export const PROFILES: Record<ProviderName, ProviderProfile> = {
  magma: {
    inFlight: ['WAITING_FOR_SELLER_APPROVAL', 'WAITING_FOR_BUYER_PAYMENT', 'WAITING_FOR_CHANNEL_OPEN'],
    succeeded: ['VALID_CHANNEL_OPENING', 'CHANNEL_MONITORING_FINISHED'],
    failed: ['SELLER_REJECTED', 'BUYER_FAILED_TO_PAY', 'SELLER_FAILED_TO_OPEN_CHANNEL'],
    maxInFlightSteps: 3,
  },
  miraclecash: { inFlight: ['pending'], succeeded: ['successful'], failed: ['unsuccessful', 'expired', 'cancelled'], maxInFlightSteps: 2 },
  ozzobit: { inFlight: ['PROCESSING', 'PENDING_DELIVERY'], succeeded: ['COMPLETED'], failed: ['FAILED', 'CANCELLED'], maxInFlightSteps: 2 },
  // Deposit-stage statuses only, with a deposit window of seconds: the adapter then polls a second
  // after the expiry (with pushes every 10 s once overdue, instead of the 20–30 s of the later stages).
  houdini: {
    inFlight: ['NEW', 'WAITING'],
    succeeded: ['FINISHED'],
    failed: ['FAILED', 'REFUNDED', 'EXPIRED'],
    maxInFlightSteps: 2,
    scriptExtras: { depositWindowMs: 4 * SECOND },
  },
};

/** How an order is played and what it must end as. */
export type OrderKind =
  | 'succeeds'
  | 'fails'
  | 'times_out'
  /** Never ends at the provider; stopped by the `cancel` signal. */
  | 'cancelled_by_signal'
  /** Succeeds; tracked twice at the same moment. */
  | 'tracked_twice'
  /** Succeeds; a Temporal cancel request is sent while its callback is being delivered. */
  | 'temporal_cancel_in_fulfilment';

export const EXPECTED: Record<OrderKind, Outcome> = {
  succeeds: 'succeeded',
  fails: 'failed',
  times_out: 'timed_out',
  cancelled_by_signal: 'tracking_cancelled',
  tracked_twice: 'succeeded',
  temporal_cancel_in_fulfilment: 'succeeded',
};

export interface PlannedOrder {
  provider: ProviderName;
  orderId: string;
  kind: OrderKind;
  expected: Outcome;
  script: OrderScript;
  maxWaitMs: number;
  /** Milliseconds after the run's start. */
  startAt: number;
  /** For cancelled_by_signal: milliseconds after the order's start. */
  cancelAfterMs?: number;
  /** The receiver answers this order's first delivery with 503, so its callback is retried. */
  flakyCallback: boolean;
}

export function inFlightSteps(rand: Random, profile: ProviderProfile, count: number): Step[] {
  return Array.from({ length: count }, (_, index) => ({
    status: profile.inFlight[Math.min(index, profile.inFlight.length - 1)] as string,
    durationMs: between(rand, 2 * SECOND, 5 * SECOND),
  }));
}

/** Providers whose simulator pushes every status, the first one included, to the ingress. */
export const PUSHING_PROVIDERS: readonly ProviderName[] = ['ozzobit', 'houdini'];

/**
 * `withPushes`: an ingress runs. A simulator's first push may then start tracking before the test's
 * `track` does (an early push starts tracking, as it should), and `track` returns that running order
 * without its max wait: so the orders that must time out after their short max wait are only of
 * providers that do not push.
 */
export function planOrders(count: number, providers: ProviderName[], windowMs: number, runId: string, rand: Random, withPushes = false): PlannedOrder[] {
  const twice = Math.max(2, Math.round(count * 0.05));
  const specials: OrderKind[] = [
    'temporal_cancel_in_fulfilment',
    ...Array<OrderKind>(twice).fill('tracked_twice'),
    'succeeds', 'fails', 'times_out', 'cancelled_by_signal',
  ];
  const weighted: [OrderKind, number][] = [['succeeds', 0.4], ['fails', 0.25], ['times_out', 0.15], ['cancelled_by_signal', 0.2]];
  const kinds: OrderKind[] = specials.slice(0, count);
  while (kinds.length < count) {
    let roll = rand();
    const kind = weighted.find(([, weight]) => (roll -= weight) < 0)?.[0] ?? 'succeeds';
    kinds.push(kind);
  }
  // Shuffle so the special orders start at random moments too.
  for (let index = kinds.length - 1; index > 0; index -= 1) {
    const other = Math.floor(rand() * (index + 1));
    [kinds[index], kinds[other]] = [kinds[other] as OrderKind, kinds[index] as OrderKind];
  }
  const quiet = providers.filter((provider) => !PUSHING_PROVIDERS.includes(provider));
  const orders = kinds.map((kind, index): PlannedOrder => {
    const provider = (withPushes && kind === 'times_out' && quiet.length > 0 ? quiet[index % quiet.length] : providers[index % providers.length]) as ProviderName;
    const profile = PROFILES[provider];
    const orderId = `crash-${runId}-${String(index).padStart(4, '0')}`;
    const steps = inFlightSteps(rand, profile, between(rand, 0, profile.maxInFlightSteps));
    let maxWaitMs = 30 * 60 * SECOND;
    let cancelAfterMs: number | undefined;
    switch (EXPECTED[kind]) {
      case 'succeeded':
        steps.push({ status: pick(rand, profile.succeeded) });
        break;
      case 'failed':
        steps.push({ status: pick(rand, profile.failed) });
        break;
      case 'timed_out':
        // Never settles: only the (short) max wait can end it, however late the polls come.
        steps.push({ status: pick(rand, profile.inFlight) });
        maxWaitMs = between(rand, 8 * SECOND, 20 * SECOND);
        break;
      case 'tracking_cancelled':
        steps.push({ status: pick(rand, profile.inFlight) });
        cancelAfterMs = between(rand, 2 * SECOND, 12 * SECOND);
        break;
    }
    return {
      provider,
      orderId,
      kind,
      expected: EXPECTED[kind],
      script: { ...profile.scriptExtras, id: orderId, steps },
      maxWaitMs,
      startAt: Math.round(rand() * windowMs),
      cancelAfterMs,
      flakyCallback: kind !== 'temporal_cancel_in_fulfilment' && rand() < 0.2,
    };
  });
  return orders.sort((a, b) => a.startAt - b.startAt);
}

/** When the provider shows the order's last scripted status, after it was added: its steps' durations. */
export function scriptedDurationMs(order: PlannedOrder): number {
  return order.script.steps.slice(0, -1).reduce((sum, step) => sum + ((step as { durationMs?: number }).durationMs ?? 0), 0);
}
