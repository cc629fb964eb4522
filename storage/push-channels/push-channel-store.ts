/**
 * The push channels' states, shared by the ingress (which writes them) and the workers (which read
 * them) through the database they already share for the ledger: a SQLite file or PostgreSQL
 * (DATABASE_URL). One small table of its own, `push_channels` (step 5 of the migrations), one row
 * per provider, each with the lease its writer renews (`expires_at`, push-channel-state.ts): a row
 * whose lease ran out reads as `down`. On PostgreSQL the database's clock sets and judges the lease,
 * so an ingress and workers whose clocks differ still agree; a SQLite file is shared by processes of
 * one machine and clock.
 */
import { PROVIDER_NAMES, type ProviderName } from '../../domain/types';
import { LEASE_EXPIRED_REASON, PUSH_CHANNEL_STATES, type PushChannelState, type PushChannelStatus } from './push-channel-state';

export interface PushChannelStore {
  /** Writes the state with a lease of `leaseMs` (PUSH_CHANNEL_LEASE_MS) from now. */
  write(status: PushChannelStatus, leaseMs?: number): Promise<void>;
  /** Every provider's last reported state (`down` once its lease ran out); a provider no ingress ever reported is absent. */
  readAll(): Promise<PushChannelStatus[]>;
}

export interface Row {
  provider: string;
  state: string;
  reason: string | null;
  since: number | string;
  /** Whether the lease is still running, judged by the database's clock (PostgreSQL) or this machine's. */
  live: boolean | number | null;
}

export function fromRow(row: Row): PushChannelStatus | undefined {
  if (!PROVIDER_NAMES.includes(row.provider as ProviderName)) return undefined;
  if (!PUSH_CHANNEL_STATES.includes(row.state as PushChannelState)) return undefined;
  const status = { provider: row.provider as ProviderName, state: row.state as PushChannelState, reason: row.reason, since: Number(row.since) };
  // A row without a running lease (a writer killed, or one from before leases) promises nothing.
  if (!row.live && status.state !== 'down') return { ...status, state: 'down', reason: LEASE_EXPIRED_REASON };
  return status;
}
