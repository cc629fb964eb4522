import { ApplicationFailureCategory } from '@temporalio/common';
import { NOT_FOUND_QUIET_REQUESTS, type NotYetDetails, type PollUntilChangedRequest, notFoundYet } from '../../activities/poll-requests';
import { ErrorType } from '../../workflows/error-types';

const REQUEST: PollUntilChangedRequest = { provider: 'magma', orderId: 'm-1', minRequestGapMs: 5_000, knownStatus: null, minRank: null };

describe('notFoundYet', () => {
  it.each([
    [1, 5_000, 'order not found at magma yet'],
    [NOT_FOUND_QUIET_REQUESTS - 1, 5_000, 'order not found at magma yet'],
    [NOT_FOUND_QUIET_REQUESTS, 300_000, 'order not found at magma after 5m 00s: check the order id; asking every 5m 00s'],
    [NOT_FOUND_QUIET_REQUESTS + 7, 300_000, 'order not found at magma after 5m 00s: check the order id; asking every 5m 00s'],
  ])('after %i requests: BENIGN, asked again in %i ms, attention %j', (requests, waitMs, attention) => {
    const before = Date.now();
    const failure = notFoundYet(REQUEST, requests);
    expect(failure).toMatchObject({ type: ErrorType.orderNotFoundYet, category: ApplicationFailureCategory.BENIGN, nonRetryable: false, nextRetryDelay: waitMs });
    // An answer, not an error: no stack trace is kept for it.
    expect(failure.stack).toBe('');
    const details = failure.details?.[0] as NotYetDetails;
    expect(details).toMatchObject({ requests, status: null, attention, details: null });
    expect(Date.parse(details.nextPollAt) - before).toBeGreaterThanOrEqual(waitMs);
    expect(failure.message).toMatch(new RegExp(`^${attention} \\(${requests} requests?\\); next at \\d\\d:\\d\\d:\\d\\d UTC$`));
  });

  it('escalates after 5 minutes of floor-paced requests at the 5 s floor, and scales with a shorter floor', () => {
    expect(NOT_FOUND_QUIET_REQUESTS * REQUEST.minRequestGapMs).toBe(5 * 60_000);
    expect(notFoundYet({ ...REQUEST, minRequestGapMs: 100 }, NOT_FOUND_QUIET_REQUESTS).nextRetryDelay).toBe(6_000);
  });
});
