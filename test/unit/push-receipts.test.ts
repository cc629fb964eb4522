import type { OrderTracker, PushResponse } from '../../client/order-tracker';
import { InvalidInputError } from '../../common/order-input';
import type { PushLogger } from '../../providers/push/push-logger';
import { PUSH_RECEIPTS_METRIC, type PushReceipt, pushReceiptCounter, reportingPushes } from '../../workers/push/push-receipts';
import type { Observation } from '../../domain/types';
import { recordingMeter } from '../helpers/recording-meter';

const observation: Observation = { status: 'PROCESSING', phase: 'in_flight', recognised: true, rank: 1, nextWaitMs: 5_000, details: {} };

function trackerAnswering(answer: () => Promise<PushResponse>): Pick<OrderTracker, 'push'> {
  return { push: () => answer() };
}

function logged(): { logger: PushLogger; lines: { message: string; meta?: unknown }[] } {
  const lines: { message: string; meta?: unknown }[] = [];
  const line = (message: string, meta?: unknown) => void lines.push({ message, meta });
  return { logger: { info: line, warn: line, error: line }, lines };
}

describe('pushReceiptCounter', () => {
  it('counts each receipt with its provider, channel and result', () => {
    const { meter, recorded } = recordingMeter();
    const count = pushReceiptCounter(meter, 'ozzobit', 'webhook');
    count('refused');
    count('signalled');
    expect(recorded).toEqual([
      { name: PUSH_RECEIPTS_METRIC, value: 1, tags: { provider: 'ozzobit', channel: 'webhook', result: 'refused' } },
      { name: PUSH_RECEIPTS_METRIC, value: 1, tags: { provider: 'ozzobit', channel: 'webhook', result: 'signalled' } },
    ]);
  });

  it('counts nothing without a meter', () => {
    expect(() => pushReceiptCounter(undefined, 'houdini', 'websocket')('failed')).not.toThrow();
  });
});

describe('reportingPushes', () => {
  it.each<[string, () => Promise<PushResponse>, PushReceipt]>([
    ['a signalled push', async () => ({ kind: 'signalled', workflowId: 'order:houdini:h-1', runId: 'r' }), 'signalled'],
    ['a push for a final order', async () => ({ kind: 'ignored', workflowId: 'order:houdini:h-1', reason: 'order already ended succeeded' }), 'ignored'],
  ])('counts %s and logs it with the order key', async (_name, answer, receipt) => {
    const counted: PushReceipt[] = [];
    const { logger, lines } = logged();
    const response = await reportingPushes(trackerAnswering(answer), (result) => void counted.push(result), logger).push('houdini', 'h-1', observation);
    expect(response.kind).toBe(receipt);
    expect(counted).toEqual([receipt]);
    expect(lines).toEqual([{ message: 'push received', meta: expect.objectContaining({ orderKey: 'houdini:h-1', status: 'PROCESSING', result: receipt }) }]);
  });

  it.each<[string, Error, PushReceipt]>([
    ['an order id the tracker refuses as malformed', new InvalidInputError('invalid order id'), 'malformed'],
    ['any other failure (Temporal unreachable) as failed', new Error('connection refused'), 'failed'],
  ])('counts %s and rethrows it', async (_name, error, receipt) => {
    const counted: PushReceipt[] = [];
    const { logger, lines } = logged();
    const pushing = reportingPushes(trackerAnswering(() => Promise.reject(error)), (result) => void counted.push(result), logger).push('ozzobit', 'o-1', observation);
    await expect(pushing).rejects.toBe(error);
    expect(counted).toEqual([receipt]);
    expect(lines).toEqual([]);
  });
});
