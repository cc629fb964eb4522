/** What a poll group is built from (poll-group.ts), and what it says of its work. */
import type { ProviderGate } from '../provider-gate';
import type { AuditTrail } from '../audit/audit-trail';
import type { GroupMetrics } from './group-metrics';
import type { MemberStore } from '../../storage/poll-group-members/member-store';
import type { OrderReports } from './order-reports';
import type { ProviderName } from '../../domain/types';
import type { ListedOrder, ProviderAdapter } from '../../providers/provider';

export interface GroupLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface PollGroupParts {
  provider: ProviderName;
  shard: number;
  adapter: ProviderAdapter;
  members: MemberStore;
  gate: ProviderGate;
  /** Spacing of the provider's requests across workers (1/budget), 0 when unpaced. */
  requestIntervalMs: number;
  reports: OrderReports;
  /** How long an in-flight order of a pushing provider may wait while pushes report it (push-fallback.ts). */
  pushFallback: (request: { provider: ProviderName; pushesSeen?: boolean }) => Promise<number | undefined>;
  /** Listed orders that are no member of any group (reconciliation.ts); only the group that owns them is told. */
  onUnknownListed?: (orders: readonly ListedOrder[]) => Promise<void>;
  /** Reconciliation is on: the list is swept this often even with no member due, back to `maxAgeMs`. */
  reconcile?: { everyMs: number; maxAgeMs: number };
  /** The group's row in poll_group_loops and this attempt's name in it; without it the loop keeps no row. */
  loop?: { groupId: string; runId: string; owner: string };
  log: GroupLog;
  metrics?: GroupMetrics;
  /** Keeps every provider answer that changed an order (the audit trail), from polls and list pages alike. */
  audit?: AuditTrail;
  now?: () => number;
}

/** What the group did, in its heartbeat and its activity's result (the Temporal UI shows both). */
export interface GroupProgress {
  members: number;
  polls: number;
  pages: number;
  reports: number;
  /** How late the most overdue member is (ms): 0 when the group keeps up. */
  behindMs: number;
  at: string;
}
