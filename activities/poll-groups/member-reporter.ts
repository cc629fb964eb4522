/**
 * How a poll group tells an order of a change (order-reports.ts sends it): a closed order leaves the
 * group, a report Temporal did not take is tried again, and what was reported is kept in the member
 * (and its row, so a restarted group reports only what changed since).
 */
import type { GroupMetrics } from './group-metrics';
import type { Member } from './member-schedule';
import type { MemberStore } from '../../storage/poll-group-members/member-store';
import type { OrderReports } from './order-reports';
import type { GroupReport, ProviderName } from '../../domain/types';

/** A report Temporal did not take (unreachable) is tried again after this. */
const REPORT_RETRY_MS = 2_000;

export interface ReporterParts {
  provider: ProviderName;
  reports: OrderReports;
  members: MemberStore;
  log: { warn(message: string, fields?: Record<string, unknown>): void };
  metrics: GroupMetrics;
  now: () => number;
  /** The order's workflow is closed: it leaves the group's memory. */
  drop: (orderId: string) => void;
  /** A report reached its order. */
  reported: () => void;
}

export class MemberReporter {
  constructor(private readonly parts: ReporterParts) {}

  /** Sends a change to its order; a closed order leaves the group, an unreachable Temporal is tried again. */
  async deliver(member: Member, report: GroupReport): Promise<void> {
    const { provider, reports, members, log, metrics, now } = this.parts;
    try {
      const delivered = await reports.report(provider, member.orderId, report);
      if (delivered === 'closed') {
        this.parts.drop(member.orderId);
        await members.remove(provider, member.orderId);
        return;
      }
    } catch (error) {
      member.pending = report;
      member.retryReportAt = now() + REPORT_RETRY_MS;
      log.warn('poll group could not report a change; trying again', { provider, orderId: member.orderId, error: String(error) });
      return;
    }
    this.parts.reported();
    metrics.report(report.source, report.observation === null ? 'attention' : 'status');
    member.pending = null;
    member.unreported = 0;
    member.attention = report.attention;
    if (report.observation !== null) {
      member.status = report.observation.status;
      member.rank = report.observation.rank;
      member.nextWaitMs = report.observation.nextWaitMs;
      // A final status: nothing more to ask, unless the order is still there after a re-check's
      // wait (its outcome removes its row): then it hears it again, a lost report's safety net.
      if (report.observation.phase !== 'in_flight') {
        member.reportedFinal = true;
        member.nextDueAt = now() + member.recheckMs;
      }
    }
    await members
      .saveState(provider, member.orderId, { status: member.status, rank: member.rank, attention: member.attention, nextWaitMs: member.nextWaitMs })
      .catch((error: unknown) => log.warn('poll group could not save what it reported', { provider, orderId: member.orderId, error: String(error) }));
  }

  /** Reports Temporal did not take, tried again when their time has come. */
  async retryAll(members: ReadonlyMap<string, Member>): Promise<void> {
    const now = this.parts.now();
    for (const member of members.values()) {
      if (member.pending === null || member.retryReportAt > now || member.inFlight) continue;
      await this.deliver(member, { ...member.pending, requests: member.unreported });
    }
  }
}
