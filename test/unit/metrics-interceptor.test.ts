import type { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ActivityMetricsInterceptor, failureLabel, METRIC, metricsInterceptors } from '../../workers/metrics-interceptor';
import { metricsBindAddress } from '../../workers/telemetry';
import { recordingMeter } from '../helpers/recording-meter';

function run(activityType: string, attempt: number, args: unknown[], body: () => Promise<unknown>, scheduledAgoMs = 0) {
  const { meter, recorded } = recordingMeter();
  const context = {
    info: { activityType, attempt, currentAttemptScheduledTimestampMs: Date.now() - scheduledAgoMs },
    metricMeter: meter,
  } as unknown as Context;
  const interceptor = new ActivityMetricsInterceptor(context);
  const result = interceptor.execute({ args, headers: {} }, body);
  return { result, recorded };
}

describe('ActivityMetricsInterceptor', () => {
  it('counts a successful poll by provider and records how long it waited on its queue', async () => {
    const { result, recorded } = run('pollOrder', 1, [{ provider: 'magma', orderId: 'o-1' }], async () => ({ status: 'X' }), 1_500);
    await expect(result).resolves.toEqual({ status: 'X' });
    expect(recorded.find((item) => item.name === METRIC.polls)).toEqual({ name: METRIC.polls, value: 1, tags: { provider: 'magma', result: 'ok' } });
    const waited = recorded.find((item) => item.name === METRIC.pollScheduleToStart);
    expect(waited?.tags).toEqual({ provider: 'magma' });
    expect(waited?.value).toBeGreaterThanOrEqual(1_500);
    expect(waited?.value).toBeLessThan(5_000);
  });

  it('counts a failed poll by the failure type and rethrows it', async () => {
    const failure = ApplicationFailure.create({ type: 'ProviderRateLimited', message: '429' });
    const { result, recorded } = run('pollOrder', 3, [{ provider: 'houdini', orderId: 'o-2' }], async () => Promise.reject(failure));
    await expect(result).rejects.toBe(failure);
    expect(recorded.filter((item) => item.name === METRIC.polls)).toEqual([
      { name: METRIC.polls, value: 1, tags: { provider: 'houdini', result: 'ProviderRateLimited' } },
    ]);
    // A poll's retry is not a fulfilment retry.
    expect(recorded.filter((item) => item.name === METRIC.fulfilmentRetries)).toEqual([]);
  });

  it('counts the outcome the ledger holds once recordOutcome succeeds, and its retries', async () => {
    const record = { provider: 'ozzobit', orderId: 'o-3', outcome: 'failed' };
    const { result, recorded } = run('recordOutcome', 2, [record], async () => ({ recorded: false, outcome: 'succeeded', callback: 'none' }));
    await result;
    expect(recorded).toEqual([
      { name: METRIC.fulfilmentRetries, value: 1, tags: { provider: 'ozzobit' } },
      { name: METRIC.outcomes, value: 1, tags: { provider: 'ozzobit', outcome: 'succeeded' } },
    ]);
  });

  it('counts nothing for a first attempt of another fulfilment step, and an unknown provider as such', async () => {
    const first = run('runHook', 1, [{ provider: 'magma' }], async () => 'magma:o-1:succeeded:onSucceeded');
    await first.result;
    expect(first.recorded).toEqual([]);
    const retried = run('runHook', 4, [{ provider: 'nosuch' }], async () => null);
    await retried.result;
    expect(retried.recorded).toEqual([{ name: METRIC.fulfilmentRetries, value: 1, tags: { provider: 'unknown' } }]);
  });
});

describe('callbacks', () => {
  it.each([
    ['delivered', async () => 'delivered', 'delivered'],
    ['rejected (a 4xx, returned)', async () => 'rejected', 'rejected'],
    ['failed and retried (thrown)', async () => Promise.reject(ApplicationFailure.create({ type: 'CallbackUndelivered' })), 'failed'],
  ] as [string, () => Promise<unknown>, string][])('counts a callback %s by provider', async (_name, body, result) => {
    const attempt = run('deliverCallback', 1, [{ provider: 'houdini', orderId: 'h-1', outcome: 'succeeded' }], body);
    await attempt.result.catch(() => undefined);
    expect(attempt.recorded).toEqual([{ name: METRIC.callbacks, value: 1, tags: { provider: 'houdini', result } }]);
  });

  it('counts nothing when there was nothing to deliver', async () => {
    const attempt = run('deliverCallback', 1, [{ provider: 'houdini' }], async () => 'none');
    await attempt.result;
    expect(attempt.recorded).toEqual([]);
  });
});

describe('failureLabel', () => {
  it.each([
    ['an application failure: its type', ApplicationFailure.create({ type: 'ProviderUnavailable' }), 'ProviderUnavailable'],
    ['an application failure without a type', ApplicationFailure.create({}), 'ApplicationFailure'],
    ['another error: its class', new TypeError('x'), 'TypeError'],
    ['not an error', 'boom', 'unknown'],
  ] as [string, unknown, string][])('%s', (_name, error, label) => {
    expect(failureLabel(error)).toBe(label);
  });
});

describe('metricsInterceptors', () => {
  it('counts around every activity and adds nothing to the workflows', () => {
    const interceptors = metricsInterceptors();
    expect(interceptors.activity).toHaveLength(1);
    expect(interceptors).not.toHaveProperty('workflowModules');
  });
});

describe('metricsBindAddress', () => {
  it.each([
    ['127.0.0.1', 9464, '127.0.0.1:9464'],
    ['0.0.0.0', 9464, '0.0.0.0:9464'],
    ['::', 9464, '[::]:9464'],
  ] as [string, number, string][])('%s port %d → %s', (host, port, address) => {
    expect(metricsBindAddress(host, port)).toBe(address);
  });
});
