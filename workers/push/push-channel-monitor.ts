/**
 * Watches the ingress's push channels (bridges and webhook routes) and reports where each stands:
 * in `/healthz`, as a gauge (`order_tracker_push_channel_up{provider,channel}`), in the log on every
 * change, and in the shared database (push-channel-store.ts), where workers read whether a
 * provider's orders may slow to the push fallback. A provider counts as up while any of its
 * channels is up. A stopped ingress reports every channel down, so workers poll at the status
 * cadence again; a killed one stops renewing the states' lease, which reads as down once it ran out.
 */
import type { MetricMeter } from '@temporalio/common';
import { PUSH_CHANNEL_LEASE_MS, PUSH_CHANNEL_RENEW_MS, type PushChannelState, type PushChannelStatus } from '../../storage/push-channels/push-channel-state';
import type { PushChannelStore } from '../../storage/push-channels/push-channel-store';
import type { ProviderName } from '../../domain/types';
import type { ChannelReport, PushChannel } from '../../providers/push/push-channel';
import { type PushLogger, errorText } from '../../providers/push/push-logger';

export const PUSH_CHANNEL_UP_METRIC = 'order_tracker_push_channel_up';
/** A bridge's change reaches /healthz, the log and the workers' store within this. */
const CHECK_INTERVAL_MS = 1_000;

export interface ChannelSource {
  provider: ProviderName;
  channel: PushChannel;
  report(): ChannelReport;
}

export interface ChannelHealth extends ChannelReport {
  /** ISO time of the last change. */
  since: string;
}

export type PushChannelHealth = Partial<Record<ProviderName, Partial<Record<PushChannel, ChannelHealth>>>>;

export interface PushChannelMonitorOptions {
  store?: PushChannelStore;
  logger: PushLogger;
  meter?: MetricMeter;
  intervalMs?: number;
  clock?: () => number;
  /** The stored states' lease and how often it is renewed (PUSH_CHANNEL_LEASE_MS, PUSH_CHANNEL_RENEW_MS). */
  leaseMs?: number;
  renewMs?: number;
}

function providerState(reports: ChannelReport[]): ChannelReport {
  const order: PushChannelState[] = ['up', 'connecting', 'down'];
  const best = order.find((state) => reports.some((report) => report.state === state)) ?? 'down';
  if (best === 'up') return { state: 'up', reason: null };
  const reasons = reports.map((report) => report.reason).filter((reason): reason is string => reason !== null);
  return { state: best, reason: reasons.length > 0 ? reasons.join('; ') : null };
}

export class PushChannelMonitor {
  private readonly last = new Map<string, ChannelReport & { since: number }>();
  /** Per provider: what was last stored, and when (the lease is renewed from there). */
  private readonly written = new Map<ProviderName, { signature: string; at: number }>();
  private readonly clock: () => number;
  private readonly gauge: ReturnType<MetricMeter['createGauge']> | undefined;
  private readonly sinceOf = new Map<ProviderName, number>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private stoppedReason: string | undefined;

  constructor(
    private readonly sources: readonly ChannelSource[],
    private readonly options: PushChannelMonitorOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.gauge = options.meter?.createGauge(PUSH_CHANNEL_UP_METRIC, 'int', '', 'Whether a push channel of the ingress is up (1) or not (0)');
  }

  /** Checks now, then every second. */
  start(): void {
    this.check();
    this.timer ??= setInterval(() => this.check(), this.options.intervalMs ?? CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  /** Every channel down (`reason`), written before it resolves: workers stop counting on pushes. */
  async stop(reason = 'the ingress stopped'): Promise<void> {
    clearInterval(this.timer);
    this.stoppedReason = reason;
    this.check();
    await this.writing;
  }

  /** What /healthz shows: each provider's channels with their state, reason and since. */
  health(): PushChannelHealth {
    const health: PushChannelHealth = {};
    for (const source of this.sources) {
      const report = this.last.get(key(source)) ?? { ...source.report(), since: this.clock() };
      (health[source.provider] ??= {})[source.channel] = { state: report.state, reason: report.reason, since: new Date(report.since).toISOString() };
    }
    return health;
  }

  /** Reads every source; logs, counts and stores what changed. */
  check(): void {
    const now = this.clock();
    const byProvider = new Map<ProviderName, ChannelReport[]>();
    for (const source of this.sources) {
      const current = this.stoppedReason === undefined ? source.report() : { state: 'down' as const, reason: this.stoppedReason };
      const previous = this.last.get(key(source));
      if (previous === undefined || previous.state !== current.state || previous.reason !== current.reason) {
        this.last.set(key(source), { ...current, since: now });
        // A channel the ingress closes on purpose (a clean stop) is news, not an error.
        const stopping = this.stoppedReason !== undefined;
        const log = stopping || current.state === 'up' ? this.options.logger.info : current.state === 'down' ? this.options.logger.error : this.options.logger.warn;
        log.call(this.options.logger, `push channel ${current.state}`, { provider: source.provider, channel: source.channel, ...(current.reason !== null && { reason: current.reason }) });
      }
      this.gauge?.set(current.state === 'up' ? 1 : 0, { provider: source.provider, channel: source.channel });
      byProvider.set(source.provider, [...(byProvider.get(source.provider) ?? []), current]);
    }
    for (const [provider, reports] of byProvider) {
      const state = providerState(reports);
      const signature = `${state.state}|${state.reason ?? ''}`;
      const last = this.written.get(provider);
      const renewMs = this.options.renewMs ?? PUSH_CHANNEL_RENEW_MS;
      if (last?.signature === signature && now - last.at < renewMs && this.stoppedReason === undefined) continue;
      // An unchanged state is written again to renew its lease: `since` stays that of the change.
      this.written.set(provider, { signature, at: now });
      const since = last?.signature === signature ? (this.sinceOf.get(provider) ?? now) : now;
      this.sinceOf.set(provider, since);
      this.store({ provider, state: state.state, reason: state.reason, since });
    }
  }

  private store(status: PushChannelStatus): void {
    const store = this.options.store;
    if (store === undefined) return;
    this.writing = this.writing.then(() =>
      store.write(status, this.options.leaseMs ?? PUSH_CHANNEL_LEASE_MS).catch((error: unknown) => {
        // Written again at the next change; meanwhile workers keep the state they last read.
        this.written.delete(status.provider);
        this.options.logger.warn('could not store the push channel state', { provider: status.provider, error: errorText(error) });
      }),
    );
  }
}

function key(source: ChannelSource): string {
  return `${source.provider}:${source.channel}`;
}
