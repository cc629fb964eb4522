/**
 * A push bridge keeps a connection to one provider's push channel and turns each update into
 * `OrderTracker.push` (the open run, else signal-with-start). Bridges never change provider state; a push is only a
 * hint that the workflow confirms by polling.
 */
import type { PushChannelState } from '../../storage/push-channels/push-channel-state';

/** Where one push channel stands right now (see push-channel-state.ts), and why when it is not up. */
export interface ChannelReport {
  state: PushChannelState;
  reason: string | null;
}

export interface PushBridge {
  readonly provider: string;
  /** Resolves when the bridge stops: on `stop()`, or with an error it cannot recover from (refused credentials). */
  run(): Promise<void>;
  stop(): Promise<void>;
  /** `up` once subscribed, `connecting` while (re)connecting, `down` once stopped (with the error, if it failed). */
  channel(): ChannelReport;
}

/**
 * How many pushes a bridge has on their way to Temporal at once. A provider flooding the socket (or
 * Temporal slow to answer) must not grow the ingress's memory without bound: past this, an update
 * is dropped, logged and counted as `failed`; the order's next poll sees the status anyway.
 */
export const MAX_IN_FLIGHT_PUSHES = 1_000;
