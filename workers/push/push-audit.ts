/**
 * Pushes into the audit trail: a push that reached its order (`signalled`) is handed to the writer
 * with the message it came in (attached by the provider module: providers/provider-answer.ts); the
 * writer keeps it when it changed the order's status or details. Duplicates, stale pushes and pushes
 * for orders that ended change nothing and are not kept.
 */
import type { AuditTrail } from '../../activities/audit/audit-trail';
import type { OrderTracker, PushResponse } from '../../client/order-tracker';
import type { Observation, ProviderName } from '../../domain/types';
import { answerOf } from '../../providers/provider-answer';

export function auditedPushes(tracker: Pick<OrderTracker, 'push'>, audit: AuditTrail): Pick<OrderTracker, 'push'> {
  return {
    async push(provider: string, orderId: string, observation: Observation): Promise<PushResponse> {
      const receivedAt = Date.now();
      const response = await tracker.push(provider, orderId, observation);
      const answer = answerOf(observation);
      if (response.kind === 'signalled' && answer !== undefined) {
        await audit.keep({ provider: provider as ProviderName, orderId, source: 'push', observation, answer, receivedAt });
      }
      return response;
    },
  };
}
