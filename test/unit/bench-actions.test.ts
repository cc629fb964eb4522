import { defaultPayloadConverter } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
import type { temporal } from '@temporalio/proto';
import { countRunActions, startInput, watchAttempts } from '../../harness/bench/action-count';
import { actionTarget, summarizeActions } from '../../harness/bench/action-summary';
import { sumServiceRequests } from '../../harness/bench/contenders/temporal-actions';
import type { BenchOrder } from '../../harness/workload/corpus';

type Event = temporal.api.history.v1.IHistoryEvent;
let nextId = 0;
const event = (time: number, attributes: Omit<Event, 'eventId' | 'eventTime'>): Event => ({ eventId: (++nextId) as never, eventTime: msToTs(time), ...attributes });
const scheduled = (time: number, type: string) => event(time, { activityTaskScheduledEventAttributes: { activityType: { name: type } } });
const upsert = (time: number, ...names: string[]) =>
  event(time, { upsertWorkflowSearchAttributesEventAttributes: { searchAttributes: { indexedFields: Object.fromEntries(names.map((name) => [name, {}])) } } });
const SCHEDULE = { checkEveryMs: 360_000 };

beforeEach(() => {
  nextId = 0;
});

test('a run counts its start, each attempt by the started event, signals, timers and upserts other than TemporalChangeVersion alone', () => {
  const events: Event[] = [event(0, { workflowExecutionStartedEventAttributes: {} })];
  events.push(event(0, { workflowExecutionSignaledEventAttributes: { signalName: 'statusPushed' } })); // signal-with-start: the start's
  events.push(upsert(10, 'TemporalChangeVersion'), upsert(11, 'OrderStatus'), upsert(12, 'TemporalChangeVersion', 'OrderOutcome'));
  const poll = scheduled(20, 'pollUntilChanged');
  events.push(poll, event(900, { activityTaskStartedEventAttributes: { scheduledEventId: poll.eventId, attempt: 37 } }));
  events.push(event(905, { activityTaskCompletedEventAttributes: { scheduledEventId: poll.eventId } }));
  events.push(event(1_000, { workflowExecutionSignaledEventAttributes: { signalName: 'statusObserved' } }));
  events.push(event(1_100, { timerStartedEventAttributes: {} }));
  expect(countRunActions(events, SCHEDULE)).toEqual({
    starts: 1,
    activityAttempts: 37,
    signals: 1,
    timers: 1,
    upserts: 2,
    attemptsByType: { pollUntilChanged: 37 },
    rebuiltAttempts: 0,
  });
});

test('a group watch cancelled between attempts is rebuilt from its schedule; another activity counts one; pending ones count their attempts', () => {
  const early = scheduled(0, 'watchPollGroup');
  const late = scheduled(0, 'watchPollGroup');
  const other = scheduled(0, 'pollUntilChanged');
  const group = scheduled(0, 'runPollGroup');
  const events: Event[] = [
    event(0, { workflowExecutionStartedEventAttributes: {} }),
    early,
    event(60_000, { activityTaskCanceledEventAttributes: { scheduledEventId: early.eventId } }),
    late,
    // 1 at once, then one per check: 4 more by 4 × 360 s.
    event(4 * 360_000 + 5, { activityTaskCanceledEventAttributes: { scheduledEventId: late.eventId } }),
    other,
    event(50_000, { activityTaskCanceledEventAttributes: { scheduledEventId: other.eventId } }),
    group,
  ];
  const counts = countRunActions(events, SCHEDULE, [{ activityType: 'runPollGroup', attempt: 3, running: false }]);
  expect(counts.attemptsByType).toEqual({ watchPollGroup: 1 + 5, pollUntilChanged: 1, runPollGroup: 2 });
  expect(counts.rebuiltAttempts).toBe(7);
  expect(watchAttempts(359_999, SCHEDULE)).toBe(1);
  expect(watchAttempts(360_000, SCHEDULE)).toBe(2);
});

test('actions per order add the order\'s share of its provider\'s groups and their heartbeats; the target is 2 × (changes + 3)', () => {
  const orders: BenchOrder[] = [
    { provider: 'ozzobit', key: 'o0', steps: [{ status: 'PROCESSING' }, { status: 'COMPLETED' }], startOffsetMs: 0, expected: 'succeeded' },
    { provider: 'ozzobit', key: 'o1', steps: [{ status: 'PROCESSING' }, { status: 'PENDING_DELIVERY' }, { status: 'COMPLETED' }], startOffsetMs: 0, expected: 'succeeded' },
  ];
  const run = (attempts: number) => ({ starts: 1, activityAttempts: attempts, signals: 1, timers: 0, upserts: 2, attemptsByType: { watchPollGroup: attempts }, rebuiltAttempts: 0 });
  const summary = summarizeActions(
    {
      orders: { 'order:ozzobit:a': run(3), 'order:ozzobit:b': run(13) },
      groups: { ozzobit: { actions: { ...run(1), signals: 0, upserts: 0 }, workflows: 2 }, magma: { actions: run(0), workflows: 2 } },
      server: { heartbeats: 40, activityAnswers: 17 },
    },
    orders,
    ['a', 'b'],
  );
  expect(actionTarget(1)).toBe(8);
  // Groups: 2 actions over 2 orders; heartbeats: 2 of 4 groups' 40, over 2 orders.
  expect(summary?.worst[0]).toMatchObject({ key: 'o1', target: 10, groupShare: 1, heartbeatShare: 10, total: 17 + 1 + 10 });
  expect(summary?.overTarget).toBe(2);
  expect(summary?.attempts).toEqual({ counted: 3 + 13 + 1, rebuilt: 0, answeredAtServer: 17 });
});

test('the server\'s heartbeats are its frontend\'s RecordActivityTaskHeartbeat requests', () => {
  const metrics = [
    '# TYPE service_requests counter',
    'service_requests{operation="RecordActivityTaskHeartbeat",service_name="frontend"} 12',
    'service_requests{operation="RecordActivityTaskHeartbeat",service_name="history"} 12',
    'service_requests{operation="RecordActivityTaskHeartbeatById",service_name="frontend"} 3',
    'service_requests{operation="StartWorkflowExecution",service_name="frontend"} 9',
  ].join('\n');
  expect(sumServiceRequests(metrics, ['RecordActivityTaskHeartbeat', 'RecordActivityTaskHeartbeatById'])).toBe(15);
});

test('a run\'s settings (the watch schedule) are read from its start event\'s input', () => {
  const payload = defaultPayloadConverter.toPayload({ provider: 'magma', orderId: 'x', maxWaitMs: 1, settings: { groupCheckMs: 360_000 } });
  const events: Event[] = [event(0, { workflowExecutionStartedEventAttributes: { input: { payloads: [payload as never] } } })];
  expect(startInput(events)).toMatchObject({ settings: { groupCheckMs: 360_000 } });
  expect(startInput([])).toBeUndefined();
});
