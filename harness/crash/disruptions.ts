/**
 * What the run does to the processes while the orders play: worker SIGKILLs spread over the window
 * (some as a callback arrives, some while a recorded outcome's callback is pending, the rest at
 * random), the Temporal server restarted on its database between them, and on the run's own
 * PostgreSQL every ledger connection terminated while a worker holds one.
 */
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { type KillSnapshot, groupsRunBy, snapshotKill } from '../checks/group-recovery';
import type { SupervisedProcess } from '../process-supervisor';
import { between } from '../workload/random';
import type { CrashRun } from './crash-run';
import { type CrashStack, WORKER_APPLICATION_NAME } from './crash-stack';
import type { Playing } from './play-orders';

const SECOND = 1_000;
const TRIGGERS = ['callback', 'random', 'pending', 'random'] as const;

export interface Disruptions {
  kills: number;
  killsDuringFulfilment: number;
  killsByTrigger: Record<string, number>;
  /** Per kill: the poll groups the killed worker ran and their members then. */
  killSnapshots: Promise<KillSnapshot>[];
  serverRestarts: number;
  databaseBlips: number;
  backendsTerminated: number;
  workerBackendsTerminated: number;
}

export function noDisruptions(): Disruptions {
  return { kills: 0, killsDuringFulfilment: 0, killsByTrigger: {}, killSnapshots: [], serverRestarts: 0, databaseBlips: 0, backendsTerminated: 0, workerBackendsTerminated: 0 };
}

/** The kills (going round the workers) and the server restarts, spread over the start window. */
export async function killWorkers(run: CrashRun, stack: CrashStack, workers: SupervisedProcess[], playing: Playing, windowMs: number, done: Disruptions): Promise<void> {
  const { options, log, rand } = run;
  const serverRestartsWanted = options.serverRestarts ?? 1;
  const groupShards = Object.fromEntries(stack.tracked.map((provider) => [provider, stack.config.pollGroups[provider]]));
  // Restarts spread evenly between the kills (one: halfway through them).
  const serverRestartAt = Array.from({ length: serverRestartsWanted }, (_, restart) => Math.floor(((restart + 1) * options.kills) / (serverRestartsWanted + 1)));
  for (let index = 0; index < options.kills; index += 1) {
    // Spread the kills over the start window (no earlier than their share of it).
    const notBefore = playing.runStart + (windowMs * index) / Math.max(1, options.kills) - Date.now();
    if (notBefore > 0) await sleep(notBefore);
    const worker = workers[index % workers.length] as SupervisedProcess;
    await worker.ready();
    while (done.serverRestarts < serverRestartsWanted && serverRestartAt[done.serverRestarts] === index) {
      await sleep(between(rand, 1 * SECOND, 4 * SECOND));
      await restartServer(run, stack, playing);
      done.serverRestarts += 1;
    }
    const trigger = TRIGGERS[index % TRIGGERS.length] ?? 'random';
    const { killed, how, during } = await killAt(run, stack, worker, playing, trigger);
    if (killed === undefined) {
      // The worker had just ended by itself (the supervisor is starting another): kill that one.
      index -= 1;
      continue;
    }
    done.kills += 1;
    // Which poll groups died with it, and their members then: how long they go unasked is measured at the end.
    const killedPid = killed.pid ?? -1;
    done.killSnapshots.push(
      snapshotKill(Date.now(), killedPid, () => groupsRunBy(stack.client, killedPid, groupShards, stack.taskQueue), (groups) => stack.reader.groupMembers(groups)),
    );
    if (during) done.killsDuringFulfilment += 1;
    done.killsByTrigger[how] = (done.killsByTrigger[how] ?? 0) + 1;
    log(`kill ${done.kills}/${options.kills} (${how})${during ? ' during fulfilment' : ''}: worker ${index % workers.length + 1} pid ${killed.pid} at ${new Date().toISOString()}; restarting it`);
    await worker.restartAfter(killed);
  }
  await Promise.all(workers.map((worker) => worker.ready()));
}

/** The server restarted on its database; order starts and cancels wait until it is back. */
async function restartServer(run: CrashRun, stack: CrashStack, playing: Playing): Promise<void> {
  run.log(`restarting ${stack.server.name} on its database`);
  let up: () => void = () => undefined;
  playing.serverDown = new Promise<void>((resolveUp) => (up = resolveUp));
  const stoppedAt = Date.now();
  try {
    await stack.server.restart();
  } finally {
    up();
    playing.serverDown = undefined;
  }
  run.log(`${stack.server.name} back after ${((Date.now() - stoppedAt) / SECOND).toFixed(1)} s`);
}

/** One SIGKILL at the moment its trigger asks for; `killed` undefined when the worker had already gone. */
async function killAt(
  run: CrashRun,
  stack: CrashStack,
  worker: SupervisedProcess,
  playing: Playing,
  trigger: (typeof TRIGGERS)[number],
): Promise<{ killed: ChildProcess | undefined; how: string; during: boolean }> {
  let killed: ChildProcess | undefined;
  let how: string = trigger;
  let during = false;
  if (trigger === 'callback') {
    // Killed from inside the receiver, before it answers: the delivery is in flight.
    const fired = new Promise<boolean>((resolveFired) => {
      playing.killOnCallback = () => {
        killed = worker.killNow();
        resolveFired(true);
      };
    });
    during = await Promise.race([fired, sleep(10 * SECOND).then(() => false)]);
    playing.killOnCallback = undefined;
    if (!during) how = 'callback (none came: at random)';
  } else if (trigger === 'pending') {
    // Killed while a recorded outcome's callback is still pending (between or during the steps).
    const deadline = Date.now() + 10 * SECOND;
    while (Date.now() < deadline) {
      if ((await stack.reader.pendingCallbacks()) > 0) {
        killed = worker.killNow();
        during = true;
        break;
      }
      await sleep(50);
    }
    if (killed === undefined) how = 'pending (none seen: at random)';
  } else {
    await sleep(between(run.rand, 500, 6 * SECOND));
  }
  if (killed === undefined) {
    const pendingNow = await stack.reader.pendingCallbacks();
    const inFlightNow = stack.receiver.inFlight();
    killed = worker.killNow();
    during = pendingNow > 0 || inFlightNow > 0;
  }
  return { killed, how, during };
}

/** Database blips: every ledger connection terminated while orders are being fulfilled. */
export async function blipDatabase(run: CrashRun, stack: CrashStack, playing: Playing, windowMs: number, wanted: number, done: Disruptions): Promise<void> {
  for (let index = 0; index < wanted; index += 1) {
    // Between the kills, while outcomes are being recorded (the first orders end within seconds).
    const at = playing.runStart + (windowMs * (index + 1)) / (wanted + 1) + 1.5 * SECOND - Date.now();
    if (at > 0) await sleep(at);
    // A blip nobody holds a connection through proves nothing: wait for a worker's (a pool keeps
    // one for 10 s after a write, so this is soon while orders are being fulfilled).
    const cluster = stack.postgres;
    if (cluster === undefined) throw new Error('database blips need the run\'s own PostgreSQL');
    const waitUntil = Date.now() + 60 * SECOND;
    let workerConnections = 0;
    while ((workerConnections = await cluster.countBackends(WORKER_APPLICATION_NAME)) === 0 && Date.now() < waitUntil) await sleep(100);
    const terminated = await cluster.terminateBackends();
    done.databaseBlips += 1;
    done.backendsTerminated += terminated;
    done.workerBackendsTerminated += workerConnections;
    run.log(`database blip ${done.databaseBlips}/${wanted}: terminated all ${terminated} connection(s) to the ledger database, ${workerConnections} of them the worker's`);
  }
}
