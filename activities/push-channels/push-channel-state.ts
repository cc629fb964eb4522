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

export interface PushChannelStatus {
  provider: ProviderName;
  state: PushChannelState;
  /** Why it is not up (the error, naming what to fix); null when up. */
  reason: string | null;
  /** Epoch ms of the last change. */
  since: number;
}
