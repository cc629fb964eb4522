import type { ProviderName } from '../../domain/types';

/**
 * Where a provider's push channel stands, as the ingress that runs it reports it:
 * - `up`: pushes arrive (a bridge subscribed; the webhook route is served);
 * - `connecting`: a bridge is (re)connecting after a drop: pushes may be missed meanwhile;
 * - `down`: no pushes will come (refused credentials, after which the bridge stops for good, or
 *   the ingress stopped).
 * Workers read it: only while a provider's channel is `up` may its polls slow to the push fallback.
 */
export const PUSH_CHANNEL_STATES = ['up', 'connecting', 'down'] as const;
export type PushChannelState = (typeof PUSH_CHANNEL_STATES)[number];

/**
 * A state is good only while the ingress that wrote it renews it: it renews every
 * PUSH_CHANNEL_RENEW_MS for PUSH_CHANNEL_LEASE_MS. An ingress that was SIGKILLed or OOM-killed (and so
 * never wrote `down`) counts as down once its lease runs out: within the lease, plus the workers'
 * 3 s cache of the states (push-fallback.ts), its providers' orders are back on their status
 * cadence (issue 29, R3: they polled every 2 minutes for good while no push could come).
 */
export const PUSH_CHANNEL_LEASE_MS = 15_000;
export const PUSH_CHANNEL_RENEW_MS = 5_000;
export const LEASE_EXPIRED_REASON = 'the ingress stopped renewing its push channel states (killed or hung?)';

export interface PushChannelStatus {
  provider: ProviderName;
  state: PushChannelState;
  /** Why it is not up (the error, naming what to fix); null when up. */
  reason: string | null;
  /** Epoch ms of the last change. */
  since: number;
}
