/**
 * What a provider's push code (the bridge and webhook route in its folder) and the ingress that runs
 * it agree on. The descriptor names the channels (`push.channels`, provider-descriptor.ts); the
 * ingress builds each one whose variable is set (workers/push/push-channels.ts) and hands it a
 * PushContext. A push is only a hint: the workflow applies it by rank and confirms a final status by
 * polling, so a channel never changes provider state, and duplicates, stale updates and a second
 * ingress doing the same work are all harmless.
 */
import type { PushChannelState } from '../../storage/push-channels/push-channel-state';
import type { Observation, ProviderName, PushResponse } from '../../domain/types';
import type { ProviderClock } from '../provider-clock';
import type { WebhookVerifier } from '../webhook-verifier';
import type { PushLogger } from './push-logger';

/** How pushes reach the ingress: a route it serves, or a socket a bridge keeps open. */
export type PushChannel = 'webhook' | 'socketio' | 'websocket';

/** Where one push channel stands right now (see push-channel-state.ts), and why when it is not up. */
export interface ChannelReport {
  state: PushChannelState;
  reason: string | null;
}

/** A connection to one provider's push socket that turns each update into a push to its order. */
export interface PushBridge {
  readonly provider: ProviderName;
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

/** Where a push goes: `OrderTracker.push` (the open run, else a ledger check and signal-with-start). */
export interface PushTarget {
  push(provider: string, orderId: string, observation: Observation): Promise<PushResponse>;
}

/**
 * What became of a push: the tracker's answer (`signalled`, `ignored`, `duplicate`, `stale`), or
 * `refused` (signature not verified), `malformed` (not a status update we can read), `failed` (not
 * delivered: the order's next poll sees it), `other_event` (a verified webhook about something else).
 */
export type PushReceipt = PushResponse['kind'] | 'refused' | 'malformed' | 'failed' | 'other_event';

export type CountPushReceipt = (receipt: PushReceipt) => void;

/** The provider's orders being tracked now (running `trackOrder` workflows), from one visibility query. */
export type TrackedOrders = () => Promise<ReadonlySet<string>>;

/** What the ingress hands each channel it builds. */
export interface PushContext {
  /** Pushes go here: through the ingress's deadline, dedupe and audit trail, counted, logged and traced for this channel. */
  tracker: PushTarget;
  logger: PushLogger;
  /** Counts a push that never reached `tracker` (refused, malformed, other_event, or dropped as failed). */
  count: CountPushReceipt;
  /** Wall time to the provider's (SANDBOX_TIME_SCALE against the sandbox; provider-clock.ts). */
  clock: ProviderClock;
  trackedOrders: TrackedOrders;
  /**
   * Waits for the provider's request budget, shared with the workers' polls, before each request
   * the channel itself makes of the provider (Houdini's catch-up pages); without it, none is waited for.
   */
  beforeRequest?: () => Promise<void>;
}

/** A verified webhook payload, read: the order and its observation, or why not. */
export type ParsedWebhook =
  | { ok: true; orderId: string; observation: Observation }
  /** `otherEvent`: a well-formed event that is not about an order's status (its name): answered 2xx, nothing done. */
  | { ok: false; reason: string; otherEvent?: string };

/**
 * A provider's webhook, served by the ingress at `POST /webhooks/<provider>` (workers/push/webhook-routes.ts
 * does the HTTP: raw body, 401/400/200 answers, receipts). The route only verifies and reads.
 */
export interface WebhookRoute {
  verifier: WebhookVerifier;
  /** `now`: when the webhook arrived (places the order's next poll). */
  parse(payload: Buffer, now: number): ParsedWebhook;
}
