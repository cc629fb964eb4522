import { defaultPayloadConverter } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
import type { temporal } from '@temporalio/proto';
import { addPushPath } from '../../harness/bench/contenders/temporal-figures';
import type { PushPath } from '../../harness/bench/contenders/contender';

type Event = temporal.api.history.v1.IHistoryEvent;
const at = (milliseconds: number) => msToTs(milliseconds);
const taskStarted = (time: number): Event => ({ eventTime: at(time), workflowTaskStartedEventAttributes: {} });
const signalled = (time: number, status: string, receivedAt: number, signalName = 'statusPushed'): Event => ({
  eventTime: at(time),
  workflowExecutionSignaledEventAttributes: { signalName, input: { payloads: [defaultPayloadConverter.toPayload({ status, receivedAt }) as never] } },
});

test('a push is timed from its arrival to the signal and from the signal to the next workflow task, once per status', () => {
  const path: PushPath = { toSignalMs: [], toWorkflowTaskMs: [] };
  addPushPath(
    path,
    [
      { eventTime: at(1_000), workflowExecutionStartedEventAttributes: {} },
      signalled(1_010, 'PROCESSING', 1_000), // the signal-with-start: before the first task, left out
      taskStarted(1_050),
      signalled(20_070, 'PENDING_DELIVERY', 20_000),
      signalled(20_900, 'PENDING_DELIVERY', 20_850), // the same status again (the other channel): left out
      taskStarted(22_300),
      signalled(30_100, 'COMPLETED', 30_040),
      signalled(30_200, 'SOMETHING', 30_100, 'cancel'), // another signal: left out
      taskStarted(30_600),
    ],
    'statusPushed',
  );
  expect(path).toEqual({ toSignalMs: [70, 60], toWorkflowTaskMs: [2_230, 500] });
});

test('a push without a workflow task after it counts its delivery only; a payload without receivedAt is skipped', () => {
  const path: PushPath = { toSignalMs: [], toWorkflowTaskMs: [] };
  const noArrival: Event = {
    eventTime: at(3_000),
    workflowExecutionSignaledEventAttributes: { signalName: 'statusPushed', input: { payloads: [defaultPayloadConverter.toPayload({ status: 'X' }) as never] } },
  };
  addPushPath(path, [taskStarted(0), noArrival, signalled(5_000, 'COMPLETED', 4_900)], 'statusPushed');
  expect(path).toEqual({ toSignalMs: [100], toWorkflowTaskMs: [] });
});
