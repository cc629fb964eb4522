/**
 * `list`: orders, not runs, through visibility by the search attributes the workflow keeps. An
 * order is one workflow id with several runs: a chain continued as new (left out by the query), and
 * a new run for each `track` after a non-final outcome. Each order is listed once, by its latest run.
 */
import type { Client } from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import { InvalidInputError, parseProvider } from '../common/order-input';
import { ORDER_OUTCOME, ORDER_PROVIDER, ORDER_STATUS } from '../workflows/search-attributes';
import type { Outcome, ProviderName } from '../domain/types';

export interface ListFilter {
  provider?: ProviderName;
  status?: string;
  outcome?: Outcome;
  /** Orders per page (1–1,000; 100 by default). */
  limit?: number;
  /** Where the page starts: the `nextPageToken` of the page before. */
  pageToken?: string;
}

export interface ListedOrder {
  workflowId: string;
  provider: string | null;
  orderId: string;
  status: string | null;
  outcome: string | null;
  /** Temporal's state of the order's latest run: `RUNNING`, `COMPLETED`, `TERMINATED`, … */
  executionStatus: string;
  runId: string;
  startTime: string;
  closeTime: string | null;
}

export interface OrderPage {
  orders: ListedOrder[];
  /** Pass it as `pageToken` for the next page; null after the last. */
  nextPageToken: string | null;
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1_000;
/** A visibility page token as it travels in a URL or a command line: base64url, bounded. */
const PAGE_TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,4096}$/;

/**
 * One page of orders, newest first. A run that closed may have been followed by a newer run of the
 * same order that the filter does not match (a `timed_out` order tracked again): only the order's
 * latest run counts, so a closed run is listed when it is its order's latest (describe says which;
 * describe reads the server's state, not the rate-limited visibility store).
 */
export async function listOrderPage(client: Client, filter: ListFilter = {}): Promise<OrderPage> {
  const limit = filter.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new InvalidInputError(`invalid limit ${limit}: a whole number from 1 to ${MAX_LIMIT}`);
  if (filter.pageToken !== undefined && !PAGE_TOKEN_PATTERN.test(filter.pageToken)) throw new InvalidInputError('invalid page token: pass the nextPageToken of the page before');
  const response = await client.workflowService
    .listWorkflowExecutions({
      namespace: client.options.namespace,
      query: visibilityQuery(filter),
      pageSize: limit,
      nextPageToken: filter.pageToken === undefined ? undefined : Buffer.from(filter.pageToken, 'base64url'),
    })
    .catch((error: unknown) => {
      // A token the server cannot read (another query's, or mangled) is the caller's input.
      if (filter.pageToken !== undefined && (error as { code?: unknown }).code === 3) throw new InvalidInputError('invalid page token: pass the nextPageToken of the page before');
      throw error;
    });
  const converter = client.options.loadedDataConverter;
  const executions = await Promise.all(response.executions.map((raw) => executionInfoFromRaw(raw, converter, raw, client.options.namespace)));
  const latest = await Promise.all(executions.map((execution) => (execution.status.name === 'RUNNING' ? execution.runId : latestRunId(client, execution.workflowId))));
  const seen = new Set<string>();
  const orders: ListedOrder[] = [];
  executions.forEach((execution, index) => {
    if (latest[index] !== execution.runId || seen.has(execution.workflowId)) return;
    seen.add(execution.workflowId);
    const attributes = execution.typedSearchAttributes;
    orders.push({
      workflowId: execution.workflowId,
      provider: attributes.get(ORDER_PROVIDER) ?? null,
      orderId: execution.workflowId.split(':').slice(2).join(':'),
      status: attributes.get(ORDER_STATUS) ?? null,
      outcome: attributes.get(ORDER_OUTCOME) ?? null,
      executionStatus: execution.status.name,
      runId: execution.runId,
      startTime: execution.startTime.toISOString(),
      closeTime: execution.closeTime?.toISOString() ?? null,
    });
  });
  const token = response.nextPageToken;
  return { orders, nextPageToken: token && token.length > 0 ? Buffer.from(token).toString('base64url') : null };
}

/** The run the order's workflow id names now (its latest); undefined when none is kept. */
async function latestRunId(client: Client, workflowId: string): Promise<string | undefined> {
  try {
    return (await client.workflow.getHandle(workflowId).describe()).runId;
  } catch {
    return undefined;
  }
}

function visibilityQuery(filter: ListFilter): string {
  // Runs that continued as new are an order's past: its chain ends in the run that counts.
  const clauses = [`WorkflowType = 'trackOrder'`, `ExecutionStatus != 'ContinuedAsNew'`];
  if (filter.provider) clauses.push(`OrderProvider = ${quote(parseProvider(filter.provider))}`);
  if (filter.status) clauses.push(`OrderStatus = ${quote(filter.status)}`);
  if (filter.outcome) clauses.push(`OrderOutcome = ${quote(filter.outcome)}`);
  return clauses.join(' AND ');
}

/** Visibility query string literal; the values are validated or come from our own enums. */
function quote(value: string): string {
  if (!/^[A-Za-z0-9._:-]{1,128}$/.test(value)) throw new InvalidInputError(`invalid filter value ${JSON.stringify(value)}`);
  return `'${value}'`;
}
