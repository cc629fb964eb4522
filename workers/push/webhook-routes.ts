/**
 * `POST /webhooks/<provider>`: a provider's webhook route (providers/<name>/, a WebhookRoute that
 * verifies and reads) served by the ingress, into `OrderTracker.push`:
 *
 *   bad or missing signature → 401   a body the route cannot read (not JSON, no readable order) → 400
 *   another event (not an order's status) → 200, nothing done (as OZZOBiT's seed switch)
 *   all before anything reaches Temporal or the ledger.
 *   valid event → push: the open run, else ledger check and signal-with-start → 200
 *
 * The signature covers bytes, so this route's scope parses every body as a raw Buffer and the
 * verifier sees exactly what arrived. A push is only a hint: duplicates and stale deliveries are
 * harmless (the workflow keeps the highest rank and confirms a final status by polling), and a push
 * for an order the ledger holds as final is answered 200 and dropped, so the provider stops retrying
 * it. So is a replay the ingress has already delivered (`duplicate`) or one older than a status
 * already delivered (`stale`): see push-dedupe.ts. Anything that fails after verification and parsing
 * (Temporal unreachable) answers 5xx, so the provider retries the delivery.
 */
import type { FastifyInstance } from 'fastify';
import { orderKey } from '../../domain/ids';
import type { ProviderName } from '../../domain/types';
import type { CountPushReceipt, PushTarget, WebhookRoute } from '../../providers/push/push-channel';
import { type PushLogger, errorText, prefixedConsoleLogger } from '../../providers/push/push-logger';
import { providerDescriptor } from '../../providers/registry';
import { SampledLog } from '../sampled-log';

export function webhookPath(provider: ProviderName): string {
  return `/webhooks/${provider}`;
}

export interface ServedWebhook {
  provider: ProviderName;
  route: WebhookRoute;
  /** Where the pushes go (the ingress's: counted, logged and traced as `webhook`). */
  tracker: PushTarget;
  logger?: PushLogger;
  /** Counts the webhooks that never reach `tracker`: refused, malformed, other_event. */
  count?: CountPushReceipt;
}

/** Registers the route (and its raw-body parser) in the scope the ingress gives it. */
export function webhookRoute(served: ServedWebhook): (app: FastifyInstance) => void {
  const { provider, route, tracker } = served;
  const { label } = providerDescriptor(provider);
  const logger = served.logger ?? prefixedConsoleLogger(`${provider} webhook`);
  const count = served.count ?? (() => undefined);
  return (app) => {
    // Counted and sampled: a flood of unsigned webhooks must not write a line each (issue 29, R12).
    const refusals = new SampledLog(logger, 'refused webhooks (signature not verified)');
    app.addHook('onClose', async () => refusals.stop());
    // Only in this route's scope: the HTTP API keeps fastify's JSON parser.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    app.post(webhookPath(provider), async (request, reply) => {
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const verification = route.verifier.verify({ rawBody, headers: request.headers });
      if (!verification.ok) {
        count('refused');
        refusals.note(request.socket.remoteAddress ?? 'unknown', { reason: verification.reason, scheme: route.verifier.scheme, bytes: rawBody.length });
        return reply.code(401).send({ error: `webhook not verified: ${verification.reason}` });
      }
      const parsed = route.parse(verification.payload, Date.now());
      if (!parsed.ok && parsed.otherEvent !== undefined) {
        // Answered 200, as the provider's own handlers answer every event they do not act on: it stops retrying.
        count('other_event');
        logger.info('ignored a webhook that is not an order event', { eventName: parsed.otherEvent });
        return reply.code(200).send({ received: true, ignored: parsed.reason });
      }
      if (!parsed.ok) {
        count('malformed');
        logger.warn('ignored a malformed webhook', { reason: parsed.reason });
        return reply.code(400).send({ error: `malformed webhook: ${parsed.reason}` });
      }
      const { orderId, observation } = parsed;
      let pushed: Awaited<ReturnType<PushTarget['push']>>;
      try {
        pushed = await tracker.push(provider, orderId, observation);
      } catch (error) {
        logger.error(`webhook not delivered to its order; answering an error so ${label} retries`, {
          orderKey: orderKey(provider, orderId),
          status: observation.status,
          error: errorText(error),
        });
        throw error; // the ingress's error handler picks the status (503 unreachable, 500 otherwise)
      }
      return reply.code(200).send({
        received: true,
        orderId,
        status: observation.status,
        result: pushed.kind,
        ...(pushed.kind !== 'signalled' && { reason: pushed.reason }),
      });
    });
  };
}
