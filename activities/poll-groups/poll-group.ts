/**
 * One poll group at work: the in-flight orders of one provider's shard, each asked at its own
 * cadence from this one long activity (Temporal's frequent-polling pattern), and only a change
 * reported to its order. An unchanged answer costs the provider one request and Temporal nothing.
 *
 *   members  loaded from the shared table every few seconds (member-store.ts): an order joins with
 *            its first poll and leaves when its outcome is recorded or its workflow is gone;
 *   asking   each request through the worker's gate: the provider's budget across workers, its 429
 *            pause, and the order's 5 s floor across every path (request-slots.ts);
 *   sweeps   where the provider lists orders (Houdini, Magma), pages of the list answer for all the
 *            members they show (list-sweep.ts); members the pages miss are asked one by one;
 *   reports  a new status, a final one, or an attention, as one signal to the order (order-reports.ts).
 */
import { type ProviderGate, sleepUnlessAborted } from '../provider-gate';
import { type Member, isNews, newMember, nextAfterAnswer, readFailure } from './member-schedule';
import { type GroupMetrics, NO_GROUP_METRICS } from './group-metrics';
import type { GroupProgress, PollGroupParts } from './poll-group-parts';
import { MemberReporter } from './member-reporter';
import { GROUP_HEARTBEAT_EVERY_MS, LOOP_ALIVE_EVERY_MS, LoopOwnership, ticker } from './loop-ownership';
import { sweepList, type SweepOutcome } from './list-sweep';
import type { GroupReport, Observation } from '../../domain/types';
import { answerOf } from '../../providers/provider-answer';
import { ProviderCallError } from '../../providers/provider-error';

export type { GroupProgress, PollGroupParts } from './poll-group-parts';

/** New members are found, and gone ones dropped, this often. */
const REFRESH_MS = 2_000;
/** Requests of one group in flight at once; the gate spaces them by the provider's budget anyway. */
const MAX_IN_FLIGHT = 200;
/** A sweep with no member due (reconciliation's) waits this long before the next. */
const MIN_SWEEP_GAP_MS = 5_000;
/** Expired rows are cleared this often by each group. */
const CLEANUP_EVERY_MS = 10 * 60_000;
/** The loop looks at its members at least this often. */
const MAX_IDLE_MS = 1_000;

export class PollGroup {
  private readonly members = new Map<string, Member>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly now: () => number;
  private readonly metrics: GroupMetrics;
  private readonly reporter: MemberReporter;
  private readonly ownership: LoopOwnership;
  private polls = 0;
  private pages = 0;
  private reports = 0;
  private nextSweepAt = 0;
  private nextReconcileAt = 0;
  /** Ends the loop's sleep: a finished poll has placed its member's next look (it was not due-timed before). */
  private wake: () => void = () => undefined;

  constructor(private readonly dependencies: PollGroupParts) {
    this.now = dependencies.now ?? Date.now;
    this.metrics = dependencies.metrics ?? NO_GROUP_METRICS;
    this.ownership = new LoopOwnership(dependencies);
    this.reporter = new MemberReporter({ ...dependencies, metrics: this.metrics, now: this.now, drop: (orderId) => this.members.delete(orderId), reported: () => (this.reports += 1) });
  }

  /**
   * Works until `runForMs` has passed, `signal` aborts or another attempt claims the group; says it
   * is alive in its row every few seconds and heartbeats its progress every few minutes.
   */
  async run(signal: AbortSignal, heartbeat: (progress: GroupProgress) => void, runForMs: number): Promise<GroupProgress> {
    const endAt = this.now() + runForMs;
    await this.ownership.claim(this.now());
    await this.refresh();
    let nextRefreshAt = this.now() + REFRESH_MS;
    const [aliveDue, cleanupDue] = [ticker(this.now, LOOP_ALIVE_EVERY_MS), ticker(this.now, CLEANUP_EVERY_MS)];
    const [stateDue, heartbeatDue] = [ticker(this.now, -MAX_IDLE_MS), ticker(this.now, -GROUP_HEARTBEAT_EVERY_MS)];
    while (!signal.aborted && this.now() < endAt) {
      if (aliveDue() && !(await this.ownership.stillOwned(this.now()))) break;
      if (this.now() >= nextRefreshAt) {
        await this.refresh().catch((error: unknown) => this.dependencies.log.warn('poll group could not read its members; keeping the ones it has', { error: String(error) }));
        nextRefreshAt = this.now() + REFRESH_MS;
      }
      // Rows no outcome removed (a terminated workflow, a floor-only row): gone a day after their deadline.
      if (cleanupDue()) await this.dependencies.members.removeExpired(this.now()).catch(() => undefined);
      await this.reporter.retryAll(this.members);
      await this.askDue(signal);
      if (stateDue()) {
        const progress = this.progress();
        this.metrics.state(progress.members, progress.behindMs);
        if (heartbeatDue()) heartbeat(progress);
      }
      const wait = Math.min(this.nextDueIn(), nextRefreshAt - this.now(), endAt - this.now(), MAX_IDLE_MS);
      await this.sleep(Math.max(20, wait), signal);
    }
    await Promise.allSettled([...this.inFlight]);
    return this.progress();
  }

  /**
   * The loop's sleep, cut short when a poll finishes: a member in flight has no due time while the
   * loop picks its wait, so without this its next look waited for MAX_IDLE_MS (a second of lag a poll).
   */
  private sleep(milliseconds: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      void sleepUnlessAborted(milliseconds, signal).then(resolve);
    });
  }

  progress(): GroupProgress {
    const now = this.now();
    let behindMs = 0;
    for (const member of this.members.values()) {
      if (!member.inFlight) behindMs = Math.max(behindMs, now - member.nextDueAt);
    }
    return { members: this.members.size, polls: this.polls, pages: this.pages, reports: this.reports, behindMs, at: new Date(now).toISOString() };
  }

  /** The members as the table has them: new ones join, gone ones leave; what the group learnt stays. */
  private async refresh(): Promise<void> {
    const { members, provider, shard } = this.dependencies;
    const rows = await members.list(provider, shard);
    const present = new Set<string>();
    for (const row of rows) {
      present.add(row.orderId);
      const known = this.members.get(row.orderId);
      if (known === undefined) {
        this.members.set(row.orderId, newMember(row));
        continue;
      }
      known.pushesSeen = row.pushesSeen;
      known.deadlineMs = row.deadlineMs;
      known.minGapMs = row.minGapMs;
      known.recheckMs = row.recheckMs;
    }
    for (const orderId of this.members.keys()) if (!present.has(orderId)) this.members.delete(orderId);
  }

  private nextDueIn(): number {
    let next = Number.POSITIVE_INFINITY;
    for (const member of this.members.values()) if (!member.inFlight) next = Math.min(next, member.nextDueAt);
    return next - this.now();
  }

  /** Asks about every member that is due: by list pages where the provider has them, then one by one. */
  private async askDue(signal: AbortSignal): Promise<void> {
    const now = this.now();
    let due = [...this.members.values()].filter((member) => !member.inFlight && member.nextDueAt <= now);
    const reconcile = this.dependencies.reconcile;
    const reconciling = reconcile !== undefined && now >= this.nextReconcileAt;
    if (due.length === 0 && !reconciling) return;
    if (this.dependencies.adapter.listPage !== undefined && (now >= this.nextSweepAt || reconciling)) {
      const outcome = await this.sweep(due, signal, reconciling ? now - (reconcile as { maxAgeMs: number }).maxAgeMs : undefined);
      due = outcome.unseen;
      if (reconciling) this.nextReconcileAt = this.now() + (reconcile as { everyMs: number }).everyMs;
    }
    for (const member of due.sort((a, b) => a.nextDueAt - b.nextDueAt)) {
      if (this.inFlight.size >= MAX_IN_FLIGHT || signal.aborted) break;
      const polling = this.poll(member, signal).finally(() => {
        this.inFlight.delete(polling);
        this.wake();
      });
      this.inFlight.add(polling);
    }
  }

  private async sweep(due: Member[], signal: AbortSignal, reconcileSince?: number): Promise<SweepOutcome> {
    const { dependencies } = this;
    const outcome = await sweepList({
      adapter: dependencies.adapter,
      members: this.members,
      due,
      signal,
      now: this.now,
      reservePage: async () => {
        await dependencies.gate.waitForSlot(dependencies.provider, dependencies.requestIntervalMs, undefined, signal);
        return dependencies.gate.remaining(dependencies.provider) === 0;
      },
      answer: (member, observation, requestedAt) => this.answer(member, observation, 'sweep', requestedAt),
      onUnknownListed: dependencies.onUnknownListed,
      reconcileSince,
      log: dependencies.log,
    });
    this.pages += outcome.pages;
    for (let page = 0; page < outcome.pages; page += 1) this.metrics.page();
    // Sweeps no oftener than the members' floor: a page is a request like any other.
    const minGapMs = due.length === 0 ? MIN_SWEEP_GAP_MS : Math.min(...due.map((member) => member.minGapMs));
    this.nextSweepAt = this.now() + minGapMs;
    await dependencies.members.markChecked(dependencies.provider, outcome.seen, this.now()).catch((error: unknown) =>
      dependencies.log.warn('poll group could not note the orders a list page showed', { error: String(error) }),
    );
    return outcome;
  }

  /** One request about one member: reserved against the budget and the order's floor, then read. */
  private async poll(member: Member, signal: AbortSignal): Promise<void> {
    const { provider, adapter, gate, requestIntervalMs } = this.dependencies;
    member.inFlight = true;
    try {
      await gate.waitForSlot(provider, requestIntervalMs, { orderId: member.orderId, minGapMs: member.minGapMs, byGroup: true }, signal);
      // A 429 came (here or before): the provider is asked again after its Retry-After.
      const paused = gate.remaining(provider);
      if (paused > 0) {
        member.nextDueAt = this.now() + paused;
        return;
      }
      if (signal.aborted) return;
      this.polls += 1;
      member.unreported += 1;
      const requestedAt = this.now();
      const observation = await adapter.fetchOrder(member.orderId, signal).finally(() => gate.answered(provider, member.orderId, this.now()));
      member.failures = 0;
      this.metrics.request(observation.status === member.status && observation.phase === 'in_flight' ? 'unchanged' : 'ok');
      const fallbackMs = observation.phase === 'in_flight' ? await this.dependencies.pushFallback({ provider, pushesSeen: member.pushesSeen }) : undefined;
      await this.answer(member, fallbackMs === undefined ? observation : { ...observation, nextWaitMs: Math.max(observation.nextWaitMs, fallbackMs) }, 'group', requestedAt);
    } catch (error) {
      if (!signal.aborted) await this.failed(member, error);
    } finally {
      member.inFlight = false;
    }
  }

  /** An answer (a poll, or a list page that shows the whole order): the next look placed, news reported. */
  private async answer(member: Member, observation: Observation, source: GroupReport['source'], requestedAt: number): Promise<void> {
    const now = this.now();
    const { audit, provider } = this.dependencies;
    const answer = answerOf(observation);
    // The writer compares digests in memory: an unchanged answer costs no database read.
    if (audit !== undefined && answer !== undefined) await audit.keep({ provider, orderId: member.orderId, source, observation, answer, receivedAt: now });
    member.nextDueAt = nextAfterAnswer(now, member, observation.nextWaitMs);
    member.fullDueAt = member.nextDueAt;
    const previousLookAt = member.lastLookAt;
    member.lastLookAt = now;
    if (!isNews(member, observation)) return;
    await this.reporter.deliver(member, { observation, attention: observation.attention ?? null, requests: member.unreported, observedAt: requestedAt, previousLookAt, source });
  }

  private async failed(member: Member, error: unknown): Promise<void> {
    const { provider, gate, log } = this.dependencies;
    const now = this.now();
    const kind = error instanceof ProviderCallError ? error.kind : 'unavailable';
    this.metrics.request(kind);
    if (error instanceof ProviderCallError && kind === 'rate_limited') gate.pause(provider, error.details.retryAfterMs ?? member.minGapMs);
    const passing = kind === 'unavailable' || kind === 'invalid_response';
    if (passing) member.failures += 1;
    const reading = readFailure(kind, member, now, error instanceof ProviderCallError ? error.details.retryAfterMs : undefined);
    member.nextDueAt = reading.retryAt;
    // One line per outage of an order, not per attempt: the first failure and every tenth.
    if (!passing || member.failures === 1 || member.failures % 10 === 0) {
      log.warn('provider request failed', { provider, orderId: member.orderId, kind, failures: member.failures, error: error instanceof Error ? error.message : String(error) });
    }
    if (reading.attention !== member.attention) {
      await this.reporter.deliver(member, { observation: null, attention: reading.attention, requests: member.unreported, observedAt: now, previousLookAt: member.lastLookAt, source: 'group' });
    }
  }
}
