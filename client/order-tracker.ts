import { randomUUID } from 'node:crypto';
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { Ledger } from '../storage/ledger/ledger';
import type { Config } from '../common/config';
import { parseOrderId, parseProvider, parseReference, InvalidInputError } from '../common/order-input';
import { providerDescriptor } from '../providers/registry';
import { type ListFilter, type ListedOrder, type OrderPage, listOrderPage } from './list-orders';
import { type OrderEnd, orderEnd } from './order-end';
import { withGroupPolls } from './group-progress';
import { pendingPollOf, withPendingPoll } from './pending-poll';
import { callbackAttentionOf, withCallbackAttention } from './pending-callback';
import { recordedProgress } from './recorded-progress';
import { MAX_WAIT_LIMIT_MS, OrderNotFoundError, type OrderTrackerOptions, type PushResponse, type TrackOptions, type TrackResponse } from './tracker-types';
import { type JoinedOrder, type StartMemo, joinedOrder, startMemoOf } from './start-memo';
import { orderWorkflowId } from '../domain/ids';
import { isNewer } from '../domain/newer';
import { withOrderSpan } from '../common/tracing';
import { cancelSignal, progressQuery, statusPushedSignal, type TrackRequest, trackRequestedSignal } from '../workflows/messages';
import { isVerdict, parseObservation } from '../workflows/observation';
import { ORDER_OUTCOME } from '../workflows/search-attributes';
import type { trackOrder } from '../workflows/track-order';
import { TRACK_ORDER, orderStartOptions, settingsAtTimeScale } from './order-start';
import { type Observation, type Outcome, type Progress, type TrackOrderResult, isFinalOutcome } from '../domain/types';

export type { JoinedOrder } from './start-memo';
export { settingsAtTimeScale } from './order-start';
export type { ListFilter, ListedOrder, OrderPage } from './list-orders';

export { OrderNotFoundError, MAX_WAIT_LIMIT_MS } from './tracker-types';
export type { OrderTrackerOptions, PushResponse, TrackOptions, TrackResponse } from './tracker-types';

/**
 * The tracker of a process's configuration: its task queue, and under SANDBOX_TIME_SCALE the floor
 * and the attention re-check of every order it starts, scaled (the provider waits are scaled by the
 * worker's adapters: provider-clock.ts).
 */
export function trackerFromConfig(config: Config, client: Client, ledger?: Ledger): OrderTracker {
  const settings = settingsAtTimeScale(config.timeScale);
  return new OrderTracker({ client, taskQueue: config.taskQueue, ledger, settings });
}

/** The library API: what backend code and the CLI use to track, watch and cancel orders. */
export class OrderTracker {
  constructor(private readonly options: OrderTrackerOptions) {}

  /** Idempotent: returns the running order, or the recorded result of one that already ended finally. */
  async track(providerName: string, orderIdText: string, options: TrackOptions = {}): Promise<TrackResponse> {
    const order = { provider: parseProvider(providerName), orderId: parseOrderId(orderIdText) };
    // The order's trace (common/tracing.ts): the start carries it into the workflow.
    return withOrderSpan('order.track', order, {}, async (span) => {
      const response = await this.trackOnce(order.provider, order.orderId, options, false);
      span?.setAttribute('order.track.result', response.kind);
      return response;
    });
  }

  private async trackOnce(providerName: string, orderIdText: string, options: TrackOptions, retried: boolean): Promise<TrackResponse> {
    const provider = parseProvider(providerName);
    const orderId = parseOrderId(orderIdText);
    const reference = parseReference(options.reference);
    const maxWaitMs = options.maxWaitMs ?? providerDescriptor(provider).defaultMaxWaitMs;
    if (!Number.isFinite(maxWaitMs) || maxWaitMs <= 0 || maxWaitMs > MAX_WAIT_LIMIT_MS) {
      throw new InvalidInputError(`invalid max wait ${maxWaitMs} ms: must be positive and at most 30 days`);
    }
    const workflowId = orderWorkflowId(provider, orderId);
    const ended = await orderEnd(this.options.client, this.options.ledger, provider, orderId);
    if (ended?.final) return recordedResponse(workflowId, ended);
    // An order tracked before (e.g. ended timed_out) keeps the merchant's reference unless one is given.
    const ownReference = reference ?? ended?.reference ?? null;

    const requestId = randomUUID();
    const memo: StartMemo = { startedBy: 'track', requestId, reference: ownReference, maxWaitMs };
    const handle = await this.options.client.workflow.start<typeof trackOrder>(TRACK_ORDER, {
      ...orderStartOptions(this.options, provider, orderId, ownReference, maxWaitMs, memo),
      // A second track of a running order returns the running one; an ended order may be tracked again.
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    const runId = handle.firstExecutionRunId;
    const running = this.options.client.workflow.getHandle(workflowId, runId);
    const description = await running.describe();
    const startedWith = startMemoOf(description.memo);
    if (startedWith?.requestId === requestId) return { kind: 'tracking', workflowId, runId };
    // Already running: hand this track's settings over (trackRequested in workflows/order-handlers.ts) and say what stays.
    const request: TrackRequest = { reference: ownReference, maxWaitMs };
    try {
      await running.signal(trackRequestedSignal, request);
    } catch (error) {
      // The run ended between the start and the signal: track again, once, and start a run if none is left.
      if (error instanceof WorkflowNotFoundError && !retried) return this.trackOnce(provider, orderId, options, true);
      throw error;
    }
    const endedWith = description.typedSearchAttributes.get(ORDER_OUTCOME) as Outcome | undefined;
    if (endedWith !== undefined && !isFinalOutcome(endedWith)) {
      const handedOver: JoinedOrder['handedOver'] = request.reference === null ? ['maxWait'] : ['reference', 'maxWait'];
      return { kind: 'tracking', workflowId, runId, joined: { startedBy: startedWith?.startedBy ?? 'track', handedOver, kept: {}, reopens: endedWith } };
    }
    return { kind: 'tracking', workflowId, runId, joined: joinedOrder(startedWith, request) };
  }

  /**
   * Starts tracking an order that nobody tracks, as reconciliation does (a list sweep found it): its
   * provider's default max wait, no reference, memo `startedBy: reconcile`. An order whose workflow
   * runs is left alone (nothing is signalled). The caller has checked that the ledger holds nothing.
   */
  async startUntracked(providerName: string, orderIdText: string): Promise<'started' | 'running'> {
    const provider = parseProvider(providerName);
    const orderId = parseOrderId(orderIdText);
    const { defaultMaxWaitMs } = providerDescriptor(provider);
    const memo: StartMemo = { startedBy: 'reconcile', reference: null, maxWaitMs: defaultMaxWaitMs };
    try {
      await this.options.client.workflow.start<typeof trackOrder>(TRACK_ORDER, {
        ...orderStartOptions(this.options, provider, orderId, null, defaultMaxWaitMs, memo),
        staticSummary: `${provider} order ${orderId} (found untracked by reconciliation)`,
        workflowIdConflictPolicy: 'FAIL',
      });
      return 'started';
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return 'running';
      throw error;
    }
  }

  /**
   * Delivers a pushed (webhook, WebSocket) observation. An open run hears it first; with none open,
   * signal-with-start, so a push for an order no one tracks yet starts tracking it. A push for an
   * order that ended finally starts nothing, nor does an in-flight status for one whose tracking
   * was cancelled (only a verdict or a track does). The running run is asked before the outcome (the
   * ledger's, or the last run's): a run records its outcome before it closes, so a closed run means
   * the read after sees its verdict (read first, a run closing between the read and the start let a
   * push start a needless run).
   */
  async push(providerName: string, orderIdText: string, observation: Observation): Promise<PushResponse> {
    const provider = parseProvider(providerName);
    const orderId = parseOrderId(orderIdText);
    const parsed = parseObservation(observation);
    if (!parsed.ok) throw new InvalidInputError(`invalid pushed observation: ${parsed.error}`);
    const workflowId = orderWorkflowId(provider, orderId);
    // The arrival time lets the order measure the push's detection lag (workflows/order-metrics.ts).
    const pushed = { ...parsed.observation, receivedAt: parsed.receivedAt ?? Date.now() };
    const running = await this.signalRunning(workflowId, pushed);
    if (running !== undefined) return running;
    const recorded = await orderEnd(this.options.client, this.options.ledger, provider, orderId);
    if (recorded?.final) return { kind: 'ignored', workflowId, reason: `order already ended ${recorded.outcome}` };
    if (recorded?.outcome === 'tracking_cancelled' && !isVerdict(parsed.observation)) {
      // A cancel stands against in-flight news: only a run a track started again hears it.
      return { kind: 'ignored', workflowId, reason: 'tracking was cancelled: only a final status or a track starts it again' };
    }
    // A replayed push (no provider signs a time we could bound, or it was captured within it) has
    // nothing new to tell an order whose tracking ended: only a status ranked above the one the
    // ledger holds starts a run again (issue 29, R4: one captured webhook restarted a timed_out order
    // for 2 h, and its callback, at every replay).
    const held = recorded?.held;
    if (held !== undefined && !isNewer(held, parsed.observation)) {
      return { kind: 'ignored', workflowId, reason: `not newer than ${held.status}, which the ledger holds (ended ${recorded?.outcome})` };
    }
    const { defaultMaxWaitMs } = providerDescriptor(provider);
    const handle = await this.options.client.workflow.signalWithStart<typeof trackOrder, [unknown]>(TRACK_ORDER, {
      // An order tracked before (e.g. ended timed_out) keeps the merchant's reference when a push restarts it.
      ...orderStartOptions(this.options, provider, orderId, recorded?.reference ?? null, defaultMaxWaitMs, { startedBy: 'push', reference: recorded?.reference ?? null, maxWaitMs: defaultMaxWaitMs }, 'push'),
      signal: statusPushedSignal,
      signalArgs: [pushed],
    });
    return { kind: 'signalled', workflowId, runId: handle.signaledRunId };
  }

  /** Signals the order's open run, if one is open; undefined when none is. */
  private async signalRunning(workflowId: string, pushed: unknown): Promise<PushResponse | undefined> {
    const handle = this.options.client.workflow.getHandle(workflowId);
    try {
      await handle.signal(statusPushedSignal, pushed);
      const { runId } = await handle.describe();
      return { kind: 'signalled', workflowId, runId };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  }

  /**
   * The order's progress snapshot (works for finished orders too while their history is kept), with
   * the requests and next attempt of the poll it is waiting on (client/pending-poll.ts).
   */
  async progress(providerName: string, orderIdText: string): Promise<Progress> {
    const handle = this.handle(providerName, orderIdText);
    try {
      const [progress, description] = await Promise.all([handle.query(progressQuery), handle.describe()]);
      const converter = this.options.client.options.loadedDataConverter;
      // A grouped order's unchanged polls are its group's: counted from its cadence, not a pending activity.
      const withPoll = progress.pollGroup != null ? withGroupPolls(progress, Date.now()) : withPendingPoll(progress, await pendingPollOf(description, converter));
      return withCallbackAttention(withPoll, await callbackAttentionOf(description, converter));
    } catch (error) {
      // Runs past the namespace's retention are gone; a tracker with the ledger still shows what it recorded.
      const row = error instanceof WorkflowNotFoundError ? await this.options.ledger?.find(parseProvider(providerName), parseOrderId(orderIdText)) : undefined;
      if (row !== undefined) return recordedProgress(row);
      throw this.notFound(error, handle.workflowId);
    }
  }

  async cancel(providerName: string, orderIdText: string, reason?: string): Promise<void> {
    const handle = this.handle(providerName, orderIdText);
    const order = { provider: parseProvider(providerName), orderId: parseOrderId(orderIdText) };
    await withOrderSpan('order.cancel', order, {}, async () => {
      try {
        const description = await handle.describe();
        if (description.status.name !== 'RUNNING') {
          throw new OrderNotFoundError(`order ${handle.workflowId} is not being tracked (${description.status.name.toLowerCase()})`);
        }
        await handle.signal(cancelSignal, reason === undefined ? {} : { reason });
      } catch (error) {
        throw this.notFound(error, handle.workflowId);
      }
    });
  }

  /** Waits for the order's outcome, following continue-as-new. */
  async result(providerName: string, orderIdText: string): Promise<TrackOrderResult> {
    const handle = this.handle(providerName, orderIdText);
    try {
      return await handle.result();
    } catch (error) {
      throw this.notFound(error, handle.workflowId);
    }
  }

  /** One page of orders (one row each, by its latest run) by provider, status and outcome, through visibility (not on the time-skipping server). */
  listPage(filter: ListFilter = {}): Promise<OrderPage> {
    return listOrderPage(this.options.client, filter);
  }

  /** The orders of the first page (`listPage` for the next). */
  async list(filter: ListFilter = {}): Promise<ListedOrder[]> {
    return (await this.listPage(filter)).orders;
  }

  private handle(providerName: string, orderIdText: string) {
    const provider = parseProvider(providerName);
    const orderId = parseOrderId(orderIdText);
    return this.options.client.workflow.getHandle(orderWorkflowId(provider, orderId));
  }

  private notFound(error: unknown, workflowId: string): unknown {
    if (error instanceof WorkflowNotFoundError) return new OrderNotFoundError(`no order is tracked as ${workflowId}`);
    return error;
  }
}

function recordedResponse(workflowId: string, ended: OrderEnd): TrackResponse {
  const { outcome, status, reference, recordedAt, result, row } = ended;
  return { kind: 'recorded', workflowId, outcome, status, reference, recordedAt, ...(result && { result }), ...(row && { row }) };
}
