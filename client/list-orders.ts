/** `list`: orders found through visibility by the search attributes the workflow keeps. */
import type { Client } from '@temporalio/client';
import { InvalidInputError, parseProvider } from '../common/order-input';
import { ORDER_OUTCOME, ORDER_PROVIDER, ORDER_STATUS } from '../workflows/search-attributes';
import type { Outcome, ProviderName } from '../domain/types';

export interface ListFilter {
  provider?: ProviderName;
  status?: string;
  outcome?: Outcome;
  limit?: number;
}

export interface ListedOrder {
  workflowId: string;
  provider: string | null;
  status: string | null;
  outcome: string | null;
  executionStatus: string;
  startTime: string;
}

/** Orders by provider, status and outcome, through visibility (not on the time-skipping server). */
export async function listOrders(client: Client, filter: ListFilter = {}): Promise<ListedOrder[]> {
  const clauses = [`WorkflowType = 'trackOrder'`];
  if (filter.provider) clauses.push(`OrderProvider = ${quote(parseProvider(filter.provider))}`);
  if (filter.status) clauses.push(`OrderStatus = ${quote(filter.status)}`);
  if (filter.outcome) clauses.push(`OrderOutcome = ${quote(filter.outcome)}`);
  const orders: ListedOrder[] = [];
  const limit = filter.limit ?? 100;
  for await (const execution of client.workflow.list({ query: clauses.join(' AND ') })) {
    const attributes = execution.typedSearchAttributes;
    orders.push({
      workflowId: execution.workflowId,
      provider: attributes.get(ORDER_PROVIDER) ?? null,
      status: attributes.get(ORDER_STATUS) ?? null,
      outcome: attributes.get(ORDER_OUTCOME) ?? null,
      executionStatus: execution.status.name,
      startTime: execution.startTime.toISOString(),
    });
    if (orders.length >= limit) break;
  }
  return orders;
}

/** Visibility query string literal; the values are validated or come from our own enums. */
function quote(value: string): string {
  if (!/^[A-Za-z0-9._:-]{1,128}$/.test(value)) throw new InvalidInputError(`invalid filter value ${JSON.stringify(value)}`);
  return `'${value}'`;
}
