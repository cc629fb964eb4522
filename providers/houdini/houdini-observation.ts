import type { Observation } from '../../domain/types';
import { type ProviderClock, SYSTEM_CLOCK } from '../provider-clock';
import { toObservation } from '../status-class';
import type { HoudiniOrder } from './houdini-schema';
import { classifyHoudiniStatus, nextHoudiniWait } from './houdini-status';

function isoOrNull(value: string | null | undefined): string | null {
  const time = value ? Date.parse(value) : Number.NaN;
  return Number.isFinite(time) ? new Date(time).toISOString() : null;
}

/**
 * One Houdini order, polled or pushed, as the workflow sees it. Pure, and the only normaliser:
 * the poll activity and the WebSocket push bridge both use it, so a push and a poll of the same
 * order give the same status and rank. `pushes`: whether pushes report this order's changes (the
 * worker has HOUDINI_WS_URL), which sets the cadence of the next poll (houdini-status.ts).
 */
export function normalizeHoudiniOrder(order: HoudiniOrder, now: number, pushes: boolean, clock: ProviderClock = SYSTEM_CLOCK): Observation {
  const info = classifyHoudiniStatus(order.status);
  const nextWaitMs = clock.wallWait(nextHoudiniWait(order.status, clock.providerTime(order.expires, now), now, pushes));
  return toObservation(info.label, info, nextWaitMs, {
    statusCode: order.status,
    // Only while the deposit window matters (and on EXPIRED), so the UI's countdown means something.
    expiresAt: info.showsExpiry ? isoOrNull(order.expires) : null,
    inAmount: order.inAmount ?? null,
    inSymbol: order.inSymbol ?? null,
    outAmount: order.outAmount ?? null,
    outSymbol: order.outSymbol ?? null,
    depositAddress: order.depositAddress ?? null,
    // Not the receiving address: the one thing a private swap keeps unlinked stays out of
    // workflow history, the ledger and callbacks.
    anonymous: order.anonymous ?? null,
    etaMinutes: order.eta ?? null,
    outTxHash: order.outTxHash ?? null,
  });
}
