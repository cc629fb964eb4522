/**
 * The poll groups' side of the activities: an order joining its group with an answer, the group's
 * long activity (runPollGroup), and the order's rare watch over its group (watchPollGroup).
 */
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { ApplicationFailureCategory } from '@temporalio/common';
import { ErrorType } from '../../workflows/error-types';
import { pollGroupWorkflowId, shardOf } from '../../domain/ids';
import type { Observation, ProviderName } from '../../domain/types';
import type { ListedOrder, ProviderRegistry } from '../../providers/provider';
import type { AuditTrail } from '../audit/audit-trail';
import type { ProviderGate } from '../provider-gate';
import type { GroupJoin, GroupMembership, GroupSilence, GroupWatchRequest, PollRequest } from '../poll-requests';
import type { MemberStore } from '../../storage/poll-group-members/member-store';
import { groupMetrics } from './group-metrics';
import { groupSilenceAllowedMs } from './member-schedule';
import type { OrderReports } from './order-reports';
import { type GroupProgress, PollGroup } from './poll-group';
import { loopOwner } from './loop-ownership';

/** The provider requests' counter, shared with the orders' own polls (workers/metrics-interceptor.ts). */
const POLLS_METRIC = 'order_tracker_polls';

/** A worker's poll groups: where members are kept, how orders are told, how many groups per provider. */
export interface PollGroupDependencies {
  members: MemberStore;
  reports: OrderReports;
  /** Groups per provider (`<PROVIDER>_POLL_GROUPS`); a provider absent or at 0 has none here. */
  shards: Partial<Record<ProviderName, number>>;
  /** Listed orders nobody tracks (reconciliation, where it is on for the provider). */
  onUnknownListed?: (provider: ProviderName, shard: number, orders: readonly ListedOrder[]) => Promise<void>;
  /** Providers with reconciliation on: how old a listed order may be, and how often the list is read for it. */
  reconcile?: Partial<Record<ProviderName, { everyMs: number; maxAgeMs: number }>>;
}

export interface RunPollGroupRequest {
  provider: ProviderName;
  shard: number;
  /** The activity ends after this long, so its workflow can continue as new and pick up new code. */
  runForMs: number;
}

interface Shared {
  providers: ProviderRegistry;
  audit?: AuditTrail;
  gate: ProviderGate;
  requestIntervalMs: Partial<Record<ProviderName, number>>;
  pushFallback: (request: { provider: ProviderName; pushesSeen?: boolean }) => Promise<number | undefined>;
}

export function createGroupActivities(groups: PollGroupDependencies | undefined, shared: Shared) {
  /** The group an order of this provider joins on this worker, or undefined where it has none. */
  function shardFor(provider: ProviderName, orderId: string): number | undefined {
    const shards = groups?.shards[provider] ?? 0;
    return shards > 0 ? shardOf(orderId, shards) : undefined;
  }

  return {
    /**
     * Registers the order in its group with the answer it just had (its first, or a change it found
     * while polling on its own), and makes sure the group runs. Undefined when this worker has no
     * group for the provider: the order then polls on its own as before.
     */
    async join(request: PollRequest, join: GroupJoin, observation: Observation, polledAt: number): Promise<GroupMembership | undefined> {
      const shard = shardFor(request.provider, request.orderId);
      // A final answer ends the order: nothing left for a group to ask.
      if (groups === undefined || shard === undefined || observation.phase !== 'in_flight') return undefined;
      await groups.members.register({
        provider: request.provider,
        orderId: request.orderId,
        shard,
        status: observation.status,
        rank: observation.rank,
        attention: observation.attention ?? null,
        nextWaitMs: observation.nextWaitMs,
        minGapMs: request.minRequestGapMs,
        recheckMs: join.attentionRecheckMs,
        pushesSeen: request.pushesSeen === true,
        deadlineMs: join.deadlineMs,
        polledAt,
      });
      await ensureGroup(request.provider, shard);
      return { shard };
    },

    /** While an order polls on its own: its group looks at it again (its row's last look is fresh). */
    async groupIsBack(request: PollRequest, join: GroupJoin): Promise<GroupMembership | undefined> {
      if (groups === undefined || shardFor(request.provider, request.orderId) === undefined) return undefined;
      const row = await groups.members.find(request.provider, request.orderId);
      if (row?.groupCheckedMs === null || row === undefined) return undefined;
      const fresh = Date.now() - row.groupCheckedMs <= groupSilenceAllowedMs(row, join.silenceMinimumMs);
      return fresh ? { shard: row.shard } : undefined;
    },

    /** The group's work: polls its members until `runForMs` has passed, heartbeating its progress. */
    async runPollGroup(request: RunPollGroupRequest): Promise<GroupProgress> {
      const context = Context.current();
      const adapter = shared.providers[request.provider];
      if (groups === undefined || adapter === undefined) {
        // Retryable: a worker that runs this provider's groups takes it.
        throw ApplicationFailure.create({ type: ErrorType.unavailable, message: `poll groups of ${request.provider} do not run on this worker` });
      }
      const onUnknownListed = groups.onUnknownListed;
      const { workflowExecution, activityId, attempt } = context.info;
      const group = new PollGroup({
        loop: workflowExecution && { groupId: workflowExecution.workflowId, runId: workflowExecution.runId, owner: loopOwner(`${workflowExecution.runId}/${activityId}#${attempt}`) },
        provider: request.provider,
        shard: request.shard,
        adapter,
        members: groups.members,
        gate: shared.gate,
        requestIntervalMs: shared.requestIntervalMs[request.provider] ?? 0,
        reports: groups.reports,
        pushFallback: shared.pushFallback,
        onUnknownListed: onUnknownListed === undefined ? undefined : (orders) => onUnknownListed(request.provider, request.shard, orders),
        reconcile: groups.reconcile?.[request.provider],
        log,
        metrics: groupMetrics(context.metricMeter, request.provider, request.shard, POLLS_METRIC),
        audit: shared.audit,
      });
      const progress = await group.run(context.cancellationSignal, (current) => context.heartbeat(current), request.runForMs);
      if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
      return progress;
    },

    /**
     * The order's watch over its group: no request to the provider, one look at its member row. The
     * group at work → BENIGN "not yet" (the server's retry is the next look); the group silent for
     * longer than it may be → the order polls on its own (returned). A lost row is written again.
     */
    async watchPollGroup(request: GroupWatchRequest): Promise<GroupSilence> {
      if (groups === undefined) return { silentSinceMs: 0 };
      const { taskQueue } = Context.current().info;
      const now = Date.now();
      const row = await groups.members.find(request.provider, request.orderId);
      const workflowId = pollGroupWorkflowId(request.provider, request.shard, taskQueue);
      if (row === undefined) {
        await groups.members.register({
          provider: request.provider,
          orderId: request.orderId,
          shard: request.shard,
          status: request.knownStatus,
          rank: request.knownRank,
          attention: null,
          nextWaitMs: request.nextWaitMs,
          minGapMs: request.minRequestGapMs,
          recheckMs: request.attentionRecheckMs,
          pushesSeen: request.pushesSeen,
          deadlineMs: request.deadlineMs,
          polledAt: now,
        });
        await ensureGroup(request.provider, request.shard);
        throw groupAtWork(`rejoined ${workflowId}`, request.silenceMinimumMs);
      }
      if (request.pushesSeen && !row.pushesSeen) await groups.members.setPushesSeen(request.provider, request.orderId);
      const lastLook = Math.max(row.groupCheckedMs ?? 0, row.registeredMs);
      const allowedMs = groupSilenceAllowedMs(row, request.silenceMinimumMs);
      if (now - lastLook > allowedMs) {
        await ensureGroup(request.provider, request.shard).catch(() => undefined);
        log.warn('poll group silent about this order; it polls on its own', { workflowId, silentForMs: now - lastLook });
        return { silentSinceMs: lastLook };
      }
      // The first look right after joining, then the slow safety net: a group's loop that died is
      // handed to a live worker by the workers' watchdog (workers/group-watchdog.ts), not by its orders.
      throw groupAtWork(`${workflowId} looked at this order ${Math.round((now - lastLook) / 1000)} s ago`, request.checkEveryMs);
    },
  };

  async function ensureGroup(provider: ProviderName, shard: number): Promise<void> {
    try {
      await groups?.reports.ensureGroup(provider, shard);
    } catch (error) {
      // The order is in the table: a worker's start or its watch starts the group later.
      log.warn('could not start a poll group', { provider, shard, error: String(error) });
    }
  }
}

/** BENIGN, like a poll's "not yet": an answer, not an error (no stack, no red failure in the UI). */
function groupAtWork(what: string, nextInMs: number): ApplicationFailure {
  const next = new Date(Date.now() + nextInMs).toISOString().slice(11, 19);
  const failure = ApplicationFailure.create({
    type: ErrorType.groupAtWork,
    message: `${what}; next check at ${next} UTC`,
    nextRetryDelay: Math.ceil(nextInMs),
    category: ApplicationFailureCategory.BENIGN,
  });
  failure.stack = '';
  return failure;
}
