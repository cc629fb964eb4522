/**
 * Temporal actions per order (issue 28's target: at most 2 × (status changes + 3) on the corpus):
 * each order's own actions from its histories, plus its share of its provider's poll groups (their
 * runs' actions and their heartbeats, split evenly over the groups and then over the provider's
 * orders of the run). Heartbeats are the server's count (all groups heartbeat alike: one per 10 min
 * of wall time, busy or idle).
 */
import type { ProviderName } from '../../domain/types';
import { type ActionCounts, type RunActions, actionTotal } from './action-count';
import type { ActionFigures } from './contenders/temporal-actions';
import type { BenchOrder } from '../workload/corpus';

export interface OrderActions extends ActionCounts {
  /** The order's workload key (the same in every contender). */
  key: string;
  provider: ProviderName;
  changes: number;
  target: number;
  /** Its own actions plus its share of its groups' (groupShare) and their heartbeats (heartbeatShare). */
  total: number;
  groupShare: number;
  heartbeatShare: number;
  attemptsByType: Record<string, number>;
}

export interface ActionSummary {
  orders: number;
  mean: ActionCounts & { total: number; target: number; groupShare: number; heartbeatShare: number };
  /** Activity attempts per order by type (mean). */
  attemptsByType: Record<string, number>;
  overTarget: number;
  /** The orders furthest above (or nearest to) their target, with what their actions are. */
  worst: OrderActions[];
  groups: { workflows: number; actions: number; heartbeats: number | null; workflowsByProvider?: Record<string, number> };
  /** Activity attempts counted from the histories (orders and groups; some rebuilt) against the answers the server received. */
  attempts: { counted: number; rebuilt: number; answeredAtServer: number | null };
}

/** Issue 28: at most twice the changes plus three (start, first poll, outcome) per order. */
export function actionTarget(changes: number): number {
  return 2 * (changes + 3);
}

export function summarizeActions(figures: ActionFigures, orders: readonly BenchOrder[], ids: readonly string[], worstCount = 5): ActionSummary | undefined {
  const providers = [...new Set(orders.map((order) => order.provider))];
  const ordersOf = (provider: ProviderName) => orders.filter((order) => order.provider === provider).length;
  const groupWorkflows = Object.values(figures.groups).reduce((sum, group) => sum + group.workflows, 0);
  const heartbeats = figures.server?.heartbeats ?? null;
  const shares = new Map<ProviderName, { group: number; heartbeat: number }>();
  for (const provider of providers) {
    const group = figures.groups[provider];
    const count = Math.max(1, ordersOf(provider));
    const heartbeatPart = heartbeats === null || groupWorkflows === 0 || group === undefined ? 0 : (heartbeats * group.workflows) / groupWorkflows;
    shares.set(provider, { group: group === undefined ? 0 : actionTotal(group.actions) / count, heartbeat: heartbeatPart / count });
  }
  const perOrder: OrderActions[] = [];
  orders.forEach((order, index) => {
    const own: RunActions | undefined = figures.orders[`order:${order.provider}:${ids[index]}`];
    if (own === undefined) return;
    const share = shares.get(order.provider) ?? { group: 0, heartbeat: 0 };
    const changes = Math.max(0, order.steps.length - 1);
    perOrder.push({
      key: order.key,
      provider: order.provider,
      changes,
      target: actionTarget(changes),
      starts: own.starts,
      activityAttempts: own.activityAttempts,
      signals: own.signals,
      timers: own.timers,
      upserts: own.upserts,
      attemptsByType: own.attemptsByType,
      groupShare: share.group,
      heartbeatShare: share.heartbeat,
      total: actionTotal(own) + share.group + share.heartbeat,
    });
  });
  if (perOrder.length === 0) return undefined;
  const mean = (pick: (order: OrderActions) => number) => perOrder.reduce((sum, order) => sum + pick(order), 0) / perOrder.length;
  const attemptsByType: Record<string, number> = {};
  for (const order of perOrder) {
    for (const [type, attempts] of Object.entries(order.attemptsByType)) attemptsByType[type] = (attemptsByType[type] ?? 0) + attempts / perOrder.length;
  }
  const groupTotals = Object.values(figures.groups).reduce((sum, group) => sum + actionTotal(group.actions), 0);
  const ownAttempts = Object.values(figures.orders).reduce((sum, run) => sum + run.activityAttempts, 0);
  const groupAttempts = Object.values(figures.groups).reduce((sum, group) => sum + group.actions.activityAttempts, 0);
  const rebuilt = [...Object.values(figures.orders), ...Object.values(figures.groups).map((group) => group.actions)].reduce(
    (sum, run) => sum + run.rebuiltAttempts,
    0,
  );
  return {
    orders: perOrder.length,
    mean: {
      starts: mean((order) => order.starts),
      activityAttempts: mean((order) => order.activityAttempts),
      signals: mean((order) => order.signals),
      timers: mean((order) => order.timers),
      upserts: mean((order) => order.upserts),
      groupShare: mean((order) => order.groupShare),
      heartbeatShare: mean((order) => order.heartbeatShare),
      total: mean((order) => order.total),
      target: mean((order) => order.target),
    },
    attemptsByType,
    overTarget: perOrder.filter((order) => order.total > order.target).length,
    worst: [...perOrder].sort((first, second) => second.total - second.target - (first.total - first.target)).slice(0, worstCount),
    groups: {
      workflows: groupWorkflows,
      actions: groupTotals,
      heartbeats,
      workflowsByProvider: Object.fromEntries(Object.entries(figures.groups).map(([provider, group]) => [provider, group.workflows])),
    },
    attempts: { counted: ownAttempts + groupAttempts, rebuilt, answeredAtServer: figures.server?.activityAnswers ?? null },
  };
}

