/**
 * What no order can report about itself: how many are in flight, and how many are still running
 * past their max wait (an order's own deadline timer cannot fire while no worker runs it, and a
 * fulfilment stuck on a dead ledger never ends). A worker asks visibility once a minute and sets two
 * gauges on its Prometheus endpoint, by provider:
 *
 *   order_tracker_orders_in_flight       running orders with no outcome yet (the "polling stopped" alert)
 *   order_tracker_orders_past_max_wait   those whose deadline passed more than 5 minutes ago
 *
 * The deadline is the `OrderDeadline` search attribute set at start (client/order-tracker.ts); a later
 * `track` may have moved it, so each candidate is asked (`progress`) before it counts. One that does
 * not answer counts: nobody runs it. Every worker reports the same counts; the rules take the max.
 */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { MetricMeter } from '@temporalio/common';
import { PROVIDER_NAMES, type ProviderName } from '../domain/types';
import { progressQuery } from '../workflows/messages';
import { ORDER_PROVIDER } from '../workflows/search-attributes';

export const ORDERS_IN_FLIGHT_METRIC = 'order_tracker_orders_in_flight';
export const ORDERS_PAST_MAX_WAIT_METRIC = 'order_tracker_orders_past_max_wait';

/** Visibility is rate-limited (10/s per frontend self-hosted); a count a minute per provider is nothing. */
export const WATCH_INTERVAL_MS = 60_000;
/** The last poll at the deadline gets a minute, then the outcome is recorded: past this, something is wrong. */
export const OVERDUE_GRACE_MS = 5 * 60_000;
/** Candidates asked per round; more than this overdue at once is an outage the gauge already shows. */
const MAX_CANDIDATES = 100;
const QUERY_TIMEOUT_MS = 10_000;

const RUNNING_WITHOUT_OUTCOME = `WorkflowType = 'trackOrder' AND ExecutionStatus = 'Running' AND OrderOutcome IS NULL`;

export interface OrderWatch {
  /** One round now (the loop runs them every WATCH_INTERVAL_MS); resolves when the gauges are set. */
  round(): Promise<void>;
  stop(): void;
}

export function startOrderWatch(client: Client, meter: MetricMeter, warn: (message: string, fields: Record<string, unknown>) => void, intervalMs = WATCH_INTERVAL_MS): OrderWatch {
  const inFlight = meter.createGauge(ORDERS_IN_FLIGHT_METRIC, 'int', '', 'Running orders without an outcome yet (visibility, once a minute)');
  const overdue = meter.createGauge(ORDERS_PAST_MAX_WAIT_METRIC, 'int', '', 'Running orders without an outcome more than 5 minutes past their max wait');

  async function round(): Promise<void> {
    try {
      for (const provider of PROVIDER_NAMES) {
        const { count } = await client.workflow.count(`${RUNNING_WITHOUT_OUTCOME} AND OrderProvider = '${provider}'`);
        inFlight.set(count, { provider });
      }
      const counts = await countOverdue(client, Date.now());
      for (const provider of PROVIDER_NAMES) overdue.set(counts.get(provider) ?? 0, { provider });
    } catch (error) {
      // The gauges keep their last values; the next round tries again.
      warn('could not count the orders in flight through visibility', { error: error instanceof Error ? error.message : String(error) });
    }
  }

  const timer = setInterval(() => void round(), intervalMs);
  timer.unref();
  void round();
  return { round, stop: () => clearInterval(timer) };
}

async function countOverdue(client: Client, now: number): Promise<Map<ProviderName, number>> {
  const before = new Date(now - OVERDUE_GRACE_MS).toISOString();
  const counts = new Map<ProviderName, number>();
  let asked = 0;
  for await (const execution of client.workflow.list({ query: `${RUNNING_WITHOUT_OUTCOME} AND OrderDeadline < '${before}'` })) {
    if ((asked += 1) > MAX_CANDIDATES) break;
    const provider = execution.typedSearchAttributes.get(ORDER_PROVIDER) as ProviderName | undefined;
    if (provider === undefined || !(await stillOverdue(client, execution.workflowId, now))) continue;
    counts.set(provider, (counts.get(provider) ?? 0) + 1);
  }
  return counts;
}

/** The order's own deadline (a track may have moved it); an order nobody answers for is overdue. */
async function stillOverdue(client: Client, workflowId: string, now: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const silent = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), QUERY_TIMEOUT_MS)));
  try {
    const progress = await Promise.race([client.workflow.getHandle(workflowId).query(progressQuery), silent]);
    if (progress === undefined) return true;
    return progress.outcome === null && Date.parse(progress.deadline) + OVERDUE_GRACE_MS < now;
  } catch (error) {
    // Ended since it was listed: not overdue. Anything else (no worker takes the query): it is.
    return !(error instanceof WorkflowNotFoundError);
  } finally {
    clearTimeout(timer);
  }
}
