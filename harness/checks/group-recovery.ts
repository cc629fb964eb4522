/**
 * How long a killed worker's poll groups leave their orders unasked: at each SIGKILL, which groups
 * the worker ran (their pending `runPollGroup` was last taken by its process) and their members then;
 * after the run, from the simulators' request logs, the gap from the kill to the next request about
 * each member (its own, or a list page that showed it). Members that ended before anyone asked
 * again (a cancel, a push, their deadline) are counted apart. The bound the design states: the
 * loop's silence allowance (30 s), one watchdog check (10 s), the retry, then one cadence.
 */
import type { Client } from '@temporalio/client';
import { pollGroupWorkflowId } from '../../domain/ids';
import type { ProviderName } from '../../domain/types';
import type { RequestLogEntry } from '../../sandbox/request-log';
import type { GroupMemberRead } from './ledger-reader';

export interface KillSnapshot {
  at: number;
  pid: number;
  /** `provider:shard` of the groups the killed process was running. */
  groups: string[];
  members: GroupMemberRead[];
}

export interface KillRecovery {
  at: number;
  groups: string[];
  members: number;
  /** Kill → next request about the member (ms), for those asked again. */
  gapsMs: number[];
  /** Members never asked again (their order ended another way, or the run ended first). */
  notAskedAgain: number;
}

/** The groups whose running attempt the process `pid` took (the SDK's identity is `<pid>@<host>`). */
export async function groupsRunBy(client: Client, pid: number, shards: Partial<Record<ProviderName, number>>, taskQueue: string): Promise<string[]> {
  const found: string[] = [];
  for (const [provider, count] of Object.entries(shards) as [ProviderName, number][]) {
    for (let shard = 0; shard < count; shard += 1) {
      try {
        const description = await client.workflow.getHandle(pollGroupWorkflowId(provider, shard, taskQueue)).describe();
        const identity = description.raw.pendingActivities?.[0]?.lastWorkerIdentity ?? '';
        if (identity.startsWith(`${pid}@`)) found.push(`${provider}:${shard}`);
      } catch {
        // not started (yet): nobody runs it
      }
    }
  }
  return found;
}

export async function snapshotKill(
  at: number,
  pid: number,
  groups: () => Promise<string[]>,
  members: (groups: readonly string[]) => Promise<GroupMemberRead[]>,
): Promise<KillSnapshot> {
  const ran: string[] = await groups().catch(() => []);
  const all: GroupMemberRead[] = await members(ran).catch(() => []);
  return { at, pid, groups: ran, members: all.filter((member) => ran.includes(`${member.provider}:${member.shard}`)) };
}

export function recoveryAfterKill(snapshot: KillSnapshot, requests: Partial<Record<string, readonly RequestLogEntry[]>>): KillRecovery {
  const gapsMs: number[] = [];
  let notAskedAgain = 0;
  for (const member of snapshot.members) {
    const next = (requests[member.provider] ?? []).find(
      (entry) => entry.at >= snapshot.at && (entry.orderId === member.orderId || (entry.listed ?? []).includes(member.orderId)),
    );
    if (next === undefined) notAskedAgain += 1;
    else gapsMs.push(next.at - snapshot.at);
  }
  return { at: snapshot.at, groups: snapshot.groups, members: snapshot.members.length, gapsMs, notAskedAgain };
}

/** One line per kill: its groups, members, and the gaps' p50 / p95 / max. */
export function formatRecovery(recoveries: readonly KillRecovery[]): string[] {
  return recoveries.map((recovery, index) => {
    const sorted = [...recovery.gapsMs].sort((first, second) => first - second);
    const at = (fraction: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
    const seconds = (value: number | undefined) => (value === undefined ? '–' : `${(value / 1000).toFixed(1)} s`);
    return `kill ${index + 1}: groups ${recovery.groups.join(', ') || 'none'}; ${recovery.members} members, asked again after p50 ${seconds(at(0.5))}, p95 ${seconds(at(0.95))}, max ${seconds(sorted[sorted.length - 1])}; ${recovery.notAskedAgain} ended before anyone asked again`;
  });
}
