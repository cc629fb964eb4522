/**
 * Which activity attempt runs a poll group, kept in the group's row of poll_group_loops: the attempt
 * claims the row when it starts and writes that it is alive every few seconds. An older attempt still
 * running (a worker taken for dead that was only slow, a group workflow restarted) finds its write
 * refused and stops, so one loop asks the members. A worker's watchdog reads the row to find a dead
 * loop long before a heartbeat timeout would (workers/group-watchdog.ts).
 */
import { hostname } from 'node:os';
import type { PollGroupParts } from './poll-group-parts';

/** The loop writes that it is alive this often (its row in poll_group_loops); free of Temporal actions. */
export const LOOP_ALIVE_EVERY_MS = 5_000;
/**
 * A loop whose row is older than this is taken for dead: a worker's watchdog hands the group's
 * activity to a new attempt (workers/group-watchdog.ts). Four missed writes, so a busy event loop is
 * not taken for a dead one. A loop whose process is gone from the watchdog's own host is taken at once.
 */
export const LOOP_SILENT_AFTER_MS = 20_000;
/**
 * Heartbeats reach the server (one billed action each) this often at most: they carry the progress
 * the UI shows and a cancellation back; the loop's row, not the heartbeat, tells a dead worker.
 */
export const GROUP_HEARTBEAT_EVERY_MS = 10 * 60_000;

/** The process a loop runs in, as its row's owner names it: `<attempt> on <pid>@<host>`. */
export function loopOwner(attempt: string, pid: number = process.pid, host: string = hostname()): string {
  return `${attempt} on ${pid}@${host}`;
}

/** The pid and host of a loop's owner, where its row names them. */
export function ownerProcess(owner: string): { pid: number; host: string } | undefined {
  const match = / on (\d+)@(.+)$/.exec(owner);
  return match === null ? undefined : { pid: Number(match[1]), host: match[2] as string };
}

/** The loop asks the server whether its group's workflow still runs this often (a describe: no billed action). */
export const LOOP_RUN_CHECK_EVERY_MS = 30_000;

export class LoopOwnership {
  private nextRunCheckAt = 0;

  constructor(private readonly parts: Pick<PollGroupParts, 'loop' | 'members' | 'log' | 'reports'>) {}

  /** This attempt runs the group from now on. */
  async claim(now: number): Promise<void> {
    const { loop, members, log } = this.parts;
    if (loop === undefined) return;
    await members.claimLoop(loop.groupId, loop.owner, now).catch((error: unknown) => log.warn('poll group could not claim its loop row', { error: String(error) }));
  }

  /**
   * Writes that the loop is alive; false when another attempt has claimed the group since, or when
   * the group's workflow runs no more (terminated): this loop then stops.
   */
  async stillOwned(now: number): Promise<boolean> {
    const { loop, members, log, reports } = this.parts;
    if (loop === undefined) return true;
    try {
      if (!(await members.loopAlive(loop.groupId, loop.owner, now))) {
        log.info('another attempt runs this poll group now; this one stops', { groupId: loop.groupId, owner: loop.owner });
        return false;
      }
      if (now < this.nextRunCheckAt || reports.groupRuns === undefined) return true;
      this.nextRunCheckAt = now + LOOP_RUN_CHECK_EVERY_MS;
      if (await reports.groupRuns(loop.groupId, loop.runId)) return true;
      log.info("this poll group's workflow runs no more; its loop stops", { groupId: loop.groupId });
      return false;
    } catch (error) {
      // The database or the server is out: the members are kept in memory and asked as before.
      log.warn('poll group could not check that it still runs', { error: String(error) });
      return true;
    }
  }
}
/** True once every `everyMs` (a negative interval: due at once, then every -`everyMs`). */
export function ticker(now: () => number, everyMs: number): () => boolean {
  let dueAt = everyMs < 0 ? 0 : now() + everyMs;
  return () => {
    if (now() < dueAt) return false;
    dueAt = now() + Math.abs(everyMs);
    return true;
  };
}
