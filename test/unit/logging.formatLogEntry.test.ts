import type { LogEntry } from '@temporalio/worker';
import { formatLogEntry, orderKeyOfWorkflowId } from '../../workers/logging';

const AT = Date.parse('2026-06-10T18:00:00.123Z');

function entry(meta: LogEntry['meta'], message = 'something happened'): LogEntry {
  return { level: 'INFO', message, timestampNanos: BigInt(AT) * 1_000_000n, meta };
}

describe('orderKeyOfWorkflowId', () => {
  it.each([
    ['an order workflow', 'order:magma:ec562479-a4b8', 'magma:ec562479-a4b8'],
    ['an order id with colons', 'order:houdini:a:b:c', 'houdini:a:b:c'],
    ['another workflow', 'redeliver:magma:x', undefined],
    ['no order id', 'order:magma', undefined],
    ['not a string', 42, undefined],
    ['missing', undefined, undefined],
  ] as [string, unknown, string | undefined][])('%s', (_name, workflowId, key) => {
    expect(orderKeyOfWorkflowId(workflowId)).toBe(key);
  });
});

describe('formatLogEntry', () => {
  it('writes time, level, message and the order key from the workflow id first, then the metadata', () => {
    const line = formatLogEntry(entry({ sdkComponent: 'activity', workflowId: 'order:magma:o-1', activityType: 'pollOrder', attempt: 2 }));
    expect(line).not.toContain('\n');
    expect(Object.keys(JSON.parse(line) as object).slice(0, 4)).toEqual(['time', 'level', 'message', 'orderKey']);
    expect(JSON.parse(line)).toEqual({
      time: '2026-06-10T18:00:00.123Z',
      level: 'INFO',
      message: 'something happened',
      orderKey: 'magma:o-1',
      sdkComponent: 'activity',
      workflowId: 'order:magma:o-1',
      activityType: 'pollOrder',
      attempt: 2,
    });
  });

  it('keeps an order key the code logged itself', () => {
    expect(JSON.parse(formatLogEntry(entry({ orderKey: 'ozzobit:x', workflowId: 'other' })))).toMatchObject({ orderKey: 'ozzobit:x' });
  });

  it('leaves the order key out where there is none, and drops the task token', () => {
    const parsed = JSON.parse(formatLogEntry(entry({ taskQueue: 'order-tracking', taskToken: 'CiQwMWEy…' }))) as Record<string, unknown>;
    expect(parsed).not.toHaveProperty('orderKey');
    expect(parsed).not.toHaveProperty('taskToken');
    expect(parsed).toMatchObject({ taskQueue: 'order-tracking' });
  });

  it('writes errors and bigints, and survives a circular value', () => {
    const parsed = JSON.parse(formatLogEntry(entry({ error: new TypeError('boom'), count: 5n }))) as Record<string, unknown>;
    expect(parsed.error).toMatchObject({ name: 'TypeError', message: 'boom' });
    expect(parsed.count).toBe('5');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(JSON.parse(formatLogEntry(entry({ workflowId: 'order:magma:o-2', circular })))).toEqual({
      time: '2026-06-10T18:00:00.123Z',
      level: 'INFO',
      message: 'something happened',
      orderKey: 'magma:o-2',
      unserialisableMeta: true,
    });
  });

  it('keeps a message with line breaks on one line', () => {
    expect(formatLogEntry(entry({}, 'first\nsecond')).split('\n')).toHaveLength(1);
  });
});
