/**
 * The worker's order watch over a stand-in for the Temporal client's visibility and queries: the
 * orders in flight by provider, and those past their max wait, each candidate asked for its own
 * deadline first (a `track` may have moved it; one nobody answers for counts).
 */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { ORDERS_IN_FLIGHT_METRIC, ORDERS_PAST_MAX_WAIT_METRIC, OVERDUE_GRACE_MS, startOrderWatch } from '../../workers/order-watch';
import { ORDER_PROVIDER } from '../../workflows/search-attributes';
import { recordingMeter } from '../helpers/recording-meter';

const NOW = Date.now();
const LONG_AGO = new Date(NOW - OVERDUE_GRACE_MS - 60_000).toISOString();

type Answer = { deadline: string; outcome: string | null } | Error;

function fakeClient(inFlight: Record<string, number>, candidates: { workflowId: string; provider: string; answer: Answer }[]) {
  const queries: string[] = [];
  const client = {
    workflow: {
      async count(query: string) {
        queries.push(query);
        const provider = /OrderProvider = '(\w+)'/.exec(query)?.[1] ?? '';
        return { count: inFlight[provider] ?? 0, groups: [] };
      },
      async *list({ query }: { query: string }) {
        queries.push(query);
        for (const candidate of candidates) {
          yield { workflowId: candidate.workflowId, typedSearchAttributes: { get: (key: unknown) => (key === ORDER_PROVIDER ? candidate.provider : undefined) } };
        }
      },
      getHandle(workflowId: string) {
        const candidate = candidates.find((entry) => entry.workflowId === workflowId);
        return {
          async query() {
            if (candidate?.answer instanceof Error) throw candidate.answer;
            return candidate?.answer;
          },
        };
      },
    },
  } as unknown as Client;
  return { client, queries };
}

function gauges(recorded: { name: string; value: number; tags: Record<string, unknown> }[], name: string): Record<string, number> {
  return Object.fromEntries(recorded.filter((entry) => entry.name === name).map((entry) => [String(entry.tags.provider), entry.value]));
}

test('counts the orders in flight by provider and those really past their max wait', async () => {
  const { client, queries } = fakeClient({ magma: 3, houdini: 1 }, [
    { workflowId: 'order:magma:late', provider: 'magma', answer: { deadline: LONG_AGO, outcome: null } },
    // A track moved its deadline: not overdue.
    { workflowId: 'order:magma:extended', provider: 'magma', answer: { deadline: new Date(NOW + 3_600_000).toISOString(), outcome: null } },
    // No worker answers for it: overdue.
    { workflowId: 'order:houdini:orphan', provider: 'houdini', answer: new Error('query timed out') },
    // Ended since it was listed: not overdue.
    { workflowId: 'order:ozzobit:ended', provider: 'ozzobit', answer: new WorkflowNotFoundError('gone', 'order:ozzobit:ended', undefined) },
  ]);
  const { meter, recorded } = recordingMeter();
  const warnings: string[] = [];
  const watch = startOrderWatch(client, meter, (message) => warnings.push(message), 3_600_000);
  try {
    recorded.length = 0;
    await watch.round();
  } finally {
    watch.stop();
  }
  expect(warnings).toEqual([]);
  expect(gauges(recorded, ORDERS_IN_FLIGHT_METRIC)).toEqual({ magma: 3, miraclecash: 0, ozzobit: 0, houdini: 1 });
  expect(gauges(recorded, ORDERS_PAST_MAX_WAIT_METRIC)).toEqual({ magma: 1, miraclecash: 0, ozzobit: 0, houdini: 1 });
  expect(queries).toContain(`WorkflowType = 'trackOrder' AND ExecutionStatus = 'Running' AND OrderOutcome IS NULL AND OrderProvider = 'magma'`);
  expect(queries.at(-1)).toMatch(/^WorkflowType = 'trackOrder' AND ExecutionStatus = 'Running' AND OrderOutcome IS NULL AND OrderDeadline < '\d{4}-\d\d-\d\dT[\d:.]+Z'$/);
});

test('a visibility failure is reported and leaves the gauges as they were', async () => {
  const client = { workflow: { count: async () => Promise.reject(new Error('visibility is rate-limited')) } } as unknown as Client;
  const { meter, recorded } = recordingMeter();
  const warnings: string[] = [];
  const watch = startOrderWatch(client, meter, (message, fields) => warnings.push(`${message}: ${String(fields.error)}`), 3_600_000);
  try {
    await watch.round();
  } finally {
    watch.stop();
  }
  expect(warnings).toContain('could not count the orders in flight through visibility: visibility is rate-limited');
  expect(recorded).toEqual([]);
});
