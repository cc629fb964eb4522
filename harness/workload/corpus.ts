/**
 * The bench's scenario corpus: scripted sandbox orders with realistic (unscaled) phase durations, the
 * same for every contender; the prompt and sustained workloads. Seeded (random.ts, the generator the
 * crash test's planned orders draw from too), so every contender sees exactly the same orders.
 */
import type { OrderScript, Step } from '../../sandbox/scenario';
import type { ProviderName } from '../../domain/types';
import { type Random, logUniform, random, uniform } from './random';

const MINUTE = 60_000;

export interface BenchOrder {
  provider: ProviderName;
  /** Without the contender prefix: the same across contenders. */
  key: string;
  steps: Step[];
  /** Extra script fields (Houdini's deposit window). */
  extras?: Record<string, unknown>;
  /** Unscaled milliseconds after the run's start at which the order is created and tracked. */
  startOffsetMs: number;
  expected: 'succeeded' | 'failed';
}

/** Bitcoin block intervals are exponential with a 10-minute mean. */
const blockTime = (rand: Random): number => -Math.log(1 - rand()) * 10 * MINUTE;

function magma(rand: Random): Pick<BenchOrder, 'steps' | 'expected'> {
  const approval = { status: 'WAITING_FOR_SELLER_APPROVAL', durationMs: uniform(rand, 0.5, 10) * MINUTE };
  if (rand() < 0.08) return { steps: [approval, { status: 'SELLER_REJECTED' }], expected: 'failed' };
  const payment = { status: 'WAITING_FOR_BUYER_PAYMENT', durationMs: uniform(rand, 1, 15) * MINUTE, fields: { payment_status: 'PENDING' } };
  if (rand() < 0.05) return { steps: [approval, payment, { status: 'BUYER_FAILED_TO_PAY' }], expected: 'failed' };
  const blocks = 3;
  return {
    steps: [
      approval,
      payment,
      { status: 'WAITING_FOR_CHANNEL_OPEN', durationMs: uniform(rand, 0.5, 5) * MINUTE, fields: { payment_status: 'SUCCESSFUL_PAYMENT' } },
      { status: 'SELLER_SENT_TRANSACTION', durationMs: uniform(rand, 0.5, 3) * MINUTE, fields: { transaction_id: 'bench-tx' } },
      {
        status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION',
        durationMs: Array.from({ length: blocks }, () => blockTime(rand)).reduce((sum, value) => sum + value, 0),
        fields: { confirmations: { confirmations: 0 } },
      },
      { status: 'VALID_CHANNEL_OPENING', fields: { channel_id: '850123x42x1', confirmations: { confirmations: blocks } } },
    ],
    expected: 'succeeded',
  };
}

function miracleCash(rand: Random): Pick<BenchOrder, 'steps' | 'expected'> {
  const pending = { status: 'pending', durationMs: logUniform(rand, 2, 120) * MINUTE };
  const roll = rand();
  if (roll < 0.05) return { steps: [pending, { status: 'cancelled' }], expected: 'failed' };
  if (roll < 0.1) return { steps: [pending, { status: 'unsuccessful' }], expected: 'failed' };
  return { steps: [pending, { status: 'successful', fields: { blockchainId: 'eth' } }], expected: 'succeeded' };
}

function ozzobit(rand: Random): Pick<BenchOrder, 'steps' | 'expected'> {
  const processing = { status: 'PROCESSING', durationMs: uniform(rand, 1, 10) * MINUTE };
  if (rand() < 0.1) return { steps: [processing, { status: 'FAILED' }], expected: 'failed' };
  return {
    steps: [processing, { status: 'PENDING_DELIVERY', durationMs: uniform(rand, 1, 20) * MINUTE }, { status: 'COMPLETED' }],
    expected: 'succeeded',
  };
}

function houdini(rand: Random): Pick<BenchOrder, 'steps' | 'expected'> {
  if (rand() < 0.1) return { steps: [{ status: 'WAITING', durationMs: 30 * MINUTE }, { status: 'EXPIRED' }], expected: 'failed' };
  return {
    steps: [
      { status: 'WAITING', durationMs: uniform(rand, 2, 28) * MINUTE },
      { status: 'CONFIRMING', durationMs: uniform(rand, 5, 20) * MINUTE },
      { status: 'EXCHANGING', durationMs: uniform(rand, 2, 10) * MINUTE },
      { status: 'ANONYMIZING', durationMs: uniform(rand, 5, 15) * MINUTE },
      { status: 'FINISHED' },
    ],
    expected: 'succeeded',
  };
}

const BUILDERS: Record<ProviderName, (rand: Random) => Pick<BenchOrder, 'steps' | 'expected'>> = {
  magma,
  miraclecash: miracleCash,
  ozzobit,
  houdini,
};

export interface WorkloadOptions {
  orders: number;
  providers: readonly ProviderName[];
  /** Orders are created uniformly over this unscaled window. */
  arrivalWindowMs: number;
  seed: number;
}

export function buildWorkload(options: WorkloadOptions): BenchOrder[] {
  const rand = random(options.seed);
  return Array.from({ length: options.orders }, (_, index) => {
    const provider = options.providers[index % options.providers.length] as ProviderName;
    const built = BUILDERS[provider](rand);
    return {
      provider,
      key: `o${index}`,
      ...built,
      extras: provider === 'houdini' ? { depositWindowMs: 30 * MINUTE } : undefined,
      startOffsetMs: rand() * options.arrivalWindowMs,
    };
  }).sort((first, second) => first.startOffsetMs - second.startOffsetMs);
}

/** MiracleCash's payment window (seed 001): an unpaid prompt expires 24 h after it was created. */
const PROMPT_WINDOW_MS = 24 * 60 * MINUTE;

/**
 * Issue 28's prompt scenario: MiracleCash payment prompts nobody pays, pending for their whole 24 h
 * and then expired, created over `arrivalWindowMs` (unscaled). What one such order costs in Temporal
 * actions is what the scenario measures (before poll groups: a poll attempt every 5 s, 17,280).
 */
export function buildPromptWorkload(options: Pick<WorkloadOptions, 'orders' | 'arrivalWindowMs' | 'seed'>): BenchOrder[] {
  const rand = random(options.seed);
  return Array.from({ length: options.orders }, (_, index) => ({
    provider: 'miraclecash' as const,
    key: `p${index}`,
    steps: [{ status: 'pending', durationMs: PROMPT_WINDOW_MS }, { status: 'expired' }],
    startOffsetMs: rand() * options.arrivalWindowMs,
    expected: 'failed' as const,
  })).sort((first, second) => first.startOffsetMs - second.startOffsetMs);
}

/** The sandbox script of an order for one contender (ids are prefixed so contenders never meet). */
export function scriptOf(order: BenchOrder, orderId: string): OrderScript & Record<string, unknown> {
  return { id: orderId, steps: order.steps, ...order.extras };
}

/** Unscaled length of an order's script up to its terminal status. */
export function scriptLengthMs(order: BenchOrder): number {
  return order.steps.reduce((sum, step) => sum + (step.durationMs ?? 0), 0);
}

export interface SustainedWorkloadOptions extends WorkloadOptions {
  /** Unscaled: how long every scripted status holds (longer than the whole point). */
  holdMs: number;
}

/**
 * A scaling point's orders: all in flight through the whole measuring window, so the figure is the
 * server's sustained rate of poll cycles, not how fast a burst of short orders ends. Each status
 * holds for `holdMs`; the point moves orders to their next in-flight status itself, at moments of
 * the window (`sustainedChange`), and measures how long each change takes to be seen.
 */
export function buildSustainedWorkload(options: SustainedWorkloadOptions): BenchOrder[] {
  const rand = random(options.seed);
  return Array.from({ length: options.orders }, (_, index) => {
    const provider = options.providers[index % options.providers.length] as ProviderName;
    const [first] = SUSTAINED_STEPS[provider];
    return {
      provider,
      key: `o${index}`,
      steps: [{ ...first, durationMs: options.holdMs }, SUSTAINED_TERMINAL[provider]],
      extras: provider === 'houdini' ? { depositWindowMs: 2 * options.holdMs } : undefined,
      startOffsetMs: rand() * options.arrivalWindowMs,
      expected: 'succeeded' as const,
    };
  }).sort((first, second) => first.startOffsetMs - second.startOffsetMs);
}

/**
 * The script that moves a sustained order to its next in-flight status now (a simulator restarts an
 * order it already holds from the new script's first step), or undefined where the provider has no
 * second in-flight status (MiracleCash's payment is `pending` until it ends).
 */
export function sustainedChange(order: BenchOrder, orderId: string, holdMs: number): (OrderScript & Record<string, unknown>) | undefined {
  const [, second] = SUSTAINED_STEPS[order.provider];
  if (second === undefined) return undefined;
  return { id: orderId, steps: [{ ...second, durationMs: holdMs }, SUSTAINED_TERMINAL[order.provider]], ...order.extras };
}

const SUSTAINED_STEPS: Record<ProviderName, readonly [Step, Step?]> = {
  magma: [{ status: 'WAITING_FOR_SELLER_APPROVAL' }, { status: 'WAITING_FOR_BUYER_PAYMENT', fields: { payment_status: 'PENDING' } }],
  miraclecash: [{ status: 'pending' }],
  ozzobit: [{ status: 'PROCESSING' }, { status: 'PENDING_DELIVERY' }],
  houdini: [{ status: 'WAITING' }, { status: 'CONFIRMING' }],
};
const SUSTAINED_TERMINAL: Record<ProviderName, Step> = {
  magma: { status: 'SELLER_REJECTED' },
  miraclecash: { status: 'successful', fields: { blockchainId: 'eth' } },
  ozzobit: { status: 'COMPLETED' },
  houdini: { status: 'FINISHED' },
};
