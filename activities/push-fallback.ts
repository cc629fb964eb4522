/**
 * When a poll may slow to the push fallback (PUSH_FALLBACK_POLL) instead of the status cadence:
 * only while pushes really report the order's changes. That takes three things:
 * - the worker has the provider's push settings (`pushFallbackPollMs`, as before);
 * - the provider's push channel is `up`, as the ingress last reported it in the shared database
 *   (read at most every few seconds): a bridge that stopped on refused credentials, or is
 *   reconnecting, or an ingress that is not running, puts the provider's orders back on their
 *   status cadence;
 * - a verified push has reached this order (`pushesSeen` in the poll request, which the workflow
 *   sets once it applied one). Absent means no: webhooks configured but never arriving must not
 *   stretch detection to minutes (workflows/follow-changes.ts passes it once the order counted a push).
 * Without a channel reader (tests, or a worker built without a database) the channel counts as up.
 */
import type { PushChannelStatus } from '../storage/push-channels/push-channel-state';
import type { ProviderName } from '../domain/types';

/** How long a read of the channel states is reused: a state change reaches every poll within it. */
export const PUSH_CHANNEL_CACHE_MS = 3_000;

export interface PushChannelReader {
  readAll(): Promise<PushChannelStatus[]>;
}

export interface PushFallbackOptions {
  pushFallbackPollMs?: Partial<Record<ProviderName, number>>;
  pushChannels?: PushChannelReader;
  clock?: () => number;
}

export interface PushFallbackRequest {
  provider: ProviderName;
  pushesSeen?: boolean;
}

/** Returns the fallback interval a poll may stretch to, or undefined for the status cadence. */
export function createPushFallback(options: PushFallbackOptions): (request: PushFallbackRequest) => Promise<number | undefined> {
  const clock = options.clock ?? Date.now;
  let cached: { at: number; states: Promise<PushChannelStatus[]> } | undefined;

  async function channelUp(provider: ProviderName): Promise<boolean> {
    const reader = options.pushChannels;
    if (reader === undefined) return true;
    const now = clock();
    if (cached === undefined || now - cached.at >= PUSH_CHANNEL_CACHE_MS) {
      const states = reader.readAll();
      cached = { at: now, states };
      // A failed read is not cached: the next poll asks again.
      states.catch(() => {
        if (cached?.states === states) cached = undefined;
      });
    }
    try {
      return (await cached.states).some((status) => status.provider === provider && status.state === 'up');
    } catch {
      return false; // unknown: the status cadence is the safe side
    }
  }

  return async (request) => {
    const fallbackMs = options.pushFallbackPollMs?.[request.provider];
    if (fallbackMs === undefined || request.pushesSeen !== true) return undefined;
    return (await channelUp(request.provider)) ? fallbackMs : undefined;
  };
}
