import type { ProviderName } from '../domain/types';
import type { HoudiniOrderScript } from './houdini-order';
import type { MagmaOrderScript } from './magma';
import type { OrderScript } from './scenario';
import type { SandboxStack } from './sandbox-stack';

export interface DemoOrder {
  provider: ProviderName;
  orderId: string;
  /** Shorter than the provider default for the demo's timeout case. */
  maxWaitMs?: number;
  /** What the order shows a new user. */
  story: string;
}

const SECOND = 1_000;

/**
 * Scripted orders for `npm start` without credentials: a success, a failure and a timeout per
 * provider, at real durations so cadences and the 5 s floor are the real ones.
 */
function magmaScripts(runId: string): { script: MagmaOrderScript; demo?: Omit<DemoOrder, 'orderId' | 'provider'> }[] {
  return [
    {
      script: {
        id: `demo-magma-success-${runId}`,
        steps: [
          { status: 'WAITING_FOR_SELLER_APPROVAL', durationMs: 10 * SECOND },
          { status: 'WAITING_FOR_BUYER_PAYMENT', durationMs: 10 * SECOND, fields: { payment_status: 'PENDING' } },
          { status: 'WAITING_FOR_CHANNEL_OPEN', durationMs: 10 * SECOND, fields: { payment_status: 'SUCCESSFUL_PAYMENT' } },
          { status: 'SELLER_SENT_TRANSACTION', durationMs: 15 * SECOND, fields: { transaction_id: '5e8a3fdemo' } },
          { status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION', durationMs: 60 * SECOND, fields: { confirmations: { confirmations: 2 } } },
          { status: 'VALID_CHANNEL_OPENING', fields: { channel_id: '850123x42x1', confirmations: { confirmations: 6 } } },
        ],
      },
      demo: { story: 'approval → payment → channel open → confirmations → VALID_CHANNEL_OPENING (about 2 min)' },
    },
    {
      script: {
        id: `demo-magma-rejected-${runId}`,
        steps: [{ status: 'WAITING_FOR_SELLER_APPROVAL', durationMs: 20 * SECOND }, { status: 'SELLER_REJECTED' }],
      },
      demo: { story: 'the seller rejects: outcome failed (about 30 s)' },
    },
    {
      script: { id: `demo-magma-unpaid-${runId}`, steps: [{ status: 'WAITING_FOR_BUYER_PAYMENT' }] },
      demo: { maxWaitMs: 90 * SECOND, story: 'never paid: outcome timed_out at its 90 s max wait' },
    },
    // Not tracked automatically: for the banner's "track one yourself". Scripted by request
    // count, so they move through their statuses whenever someone starts tracking them.
    ...tryOrderIds(runId).magma.map((id) => ({
      script: {
        id,
        steps: [
          { status: 'WAITING_FOR_BUYER_PAYMENT', requests: 3 },
          { status: 'WAITING_FOR_CHANNEL_OPEN', requests: 2 },
          { status: 'VALID_CHANNEL_OPENING' },
        ],
      },
    })),
  ];
}

function houdiniScripts(runId: string): { script: HoudiniOrderScript; demo?: Omit<DemoOrder, 'orderId' | 'provider'> }[] {
  return [
    {
      script: {
        id: `demo-houdini-swap-${runId}`,
        steps: [
          { status: 'WAITING', durationMs: 20 * SECOND },
          { status: 'CONFIRMING', durationMs: 25 * SECOND },
          { status: 'EXCHANGING', durationMs: 20 * SECOND },
          { status: 'ANONYMIZING', durationMs: 20 * SECOND },
          { status: 'FINISHED' },
        ],
      },
      demo: { story: 'deposit → confirming → exchanging → anonymizing → FINISHED (about 1.5 min)' },
    },
    {
      script: {
        id: `demo-houdini-expired-${runId}`,
        depositWindowMs: 40 * SECOND,
        steps: [{ status: 'WAITING', durationMs: 40 * SECOND }, { status: 'EXPIRED' }],
      },
      demo: { story: 'no deposit inside its (shortened) window: EXPIRED, outcome failed' },
    },
    {
      script: {
        id: pushDiscoveredOrderIds(runId).houdini,
        steps: [{ status: 'WAITING', durationMs: 15 * SECOND }, { status: 'CONFIRMING', durationMs: 20 * SECOND }, { status: 'FINISHED' }],
      },
    },
    // Not tracked automatically: its first step waits for a poll, so nothing pushes it before someone
    // tracks it; then it moves on its own and its WebSocket pushes carry it.
    {
      script: {
        id: tryOrderIds(runId).houdini[0],
        steps: [
          { status: 'WAITING', requests: 1 },
          { status: 'CONFIRMING', durationMs: 15 * SECOND },
          { status: 'EXCHANGING', durationMs: 15 * SECOND },
          { status: 'FINISHED' },
        ],
      },
    },
  ];
}

type Scripted = { script: OrderScript; demo?: Omit<DemoOrder, 'orderId' | 'provider'> };

function miracleCashScripts(runId: string): Scripted[] {
  return [
    {
      script: { id: `demo-miraclecash-paid-${runId}`, steps: [{ status: 'pending', durationMs: 30 * SECOND }, { status: 'successful', fields: { blockchainId: 'eth' } }] },
      demo: { story: 'payment prompt paid after 30 s: successful' },
    },
    {
      script: { id: `demo-miraclecash-cancelled-${runId}`, steps: [{ status: 'pending', durationMs: 20 * SECOND }, { status: 'cancelled' }] },
      demo: { story: 'the customer cancels the prompt: outcome failed' },
    },
    ...tryOrderIds(runId).miraclecash.map((id) => ({
      script: { id, steps: [{ status: 'pending', requests: 4 }, { status: 'successful' }] },
    })),
  ];
}

function ozzobitScripts(runId: string): Scripted[] {
  return [
    {
      script: {
        id: `demo-ozzobit-completed-${runId}`,
        steps: [{ status: 'PROCESSING', durationMs: 15 * SECOND }, { status: 'PENDING_DELIVERY', durationMs: 15 * SECOND }, { status: 'COMPLETED' }],
      },
      demo: { story: 'card payment processed, crypto delivered: COMPLETED (about 30 s)' },
    },
    {
      script: { id: `demo-ozzobit-failed-${runId}`, steps: [{ status: 'PROCESSING', durationMs: 20 * SECOND }, { status: 'FAILED' }] },
      demo: { story: 'the payment fails: FAILED' },
    },
    // OZZOBiT's webhook for a new order starts tracking it at once; a minute later its pushes
    // (webhooks and socket.io) carry it to the end, for someone watching with `status --follow`.
    {
      script: {
        id: pushDiscoveredOrderIds(runId).ozzobit,
        steps: [{ status: 'PROCESSING', durationMs: 60 * SECOND }, { status: 'PENDING_DELIVERY', durationMs: 20 * SECOND }, { status: 'COMPLETED' }],
      },
    },
  ];
}

/** Adds the demo scripts to the simulators and returns the orders the demo should track. */
export function addDemoOrders(stack: SandboxStack, runId: string): DemoOrder[] {
  const demos: DemoOrder[] = [];
  for (const { script, demo } of magmaScripts(runId)) {
    stack.magma.addOrder(script);
    if (demo) demos.push({ provider: 'magma', orderId: script.id, ...demo });
  }
  for (const { script, demo } of miracleCashScripts(runId)) {
    stack.miraclecash.addOrder(script);
    if (demo) demos.push({ provider: 'miraclecash', orderId: script.id, ...demo });
  }
  for (const { script, demo } of ozzobitScripts(runId)) {
    stack.ozzobit.addOrder(script);
    if (demo) demos.push({ provider: 'ozzobit', orderId: script.id, ...demo });
  }
  for (const { script, demo } of houdiniScripts(runId)) {
    stack.houdini.addOrder(script);
    if (demo) demos.push({ provider: 'houdini', orderId: script.id, ...demo });
  }
  return demos;
}

/**
 * Orders the banner invites a person to track by hand, scripted so that nothing moves them before
 * someone does. Their ids are new at each start (`runId`), so a restarted demo offers orders that
 * have not ended yet: the ledger and the dev server keep what earlier starts recorded.
 */
export function tryOrderIds(runId: string) {
  return {
    magma: [`try-magma-1-${runId}`, `try-magma-2-${runId}`, `try-magma-3-${runId}`],
    miraclecash: [`try-miraclecash-1-${runId}`, `try-miraclecash-2-${runId}`],
    houdini: [`try-houdini-1-${runId}`],
  } as const;
}

/**
 * OZZOBiT and Houdini push every status change of the account's orders (OZZOBiT also a new order):
 * a push for an order nobody tracks starts tracking it, so the demo adds one such order each and
 * lets the pushes do the rest.
 */
export function pushDiscoveredOrderIds(runId: string) {
  return { ozzobit: `pushed-ozzobit-${runId}`, houdini: `pushed-houdini-${runId}` } as const;
}
