/**
 * `POST /webhooks/ozzobit`: OZZOBiT's status-change webhooks (seed 002) into `OrderTracker.push`.
 *
 *   bad or missing signature → 401   body not JSON / an ORDER_* event without a readable order → 400
 *   another event (not ORDER_*) → 200, nothing done (as the seed's switch)
 *   all before anything reaches Temporal or the ledger.
 *   valid event → normalise (provider module) → push: the open run, else ledger check and signal-with-start → 200
 *
 * The signature covers bytes, so this route's scope parses every body as a raw Buffer and the
 * verifier sees exactly what arrived. A push is only a hint: duplicates and stale deliveries are
 * harmless (the workflow keeps the highest rank and confirms a final status by polling), and a
 * push for an order the ledger holds as final is answered 200 and dropped, so OZZOBiT stops
 * retrying it. So is a replay the ingress has already delivered (`duplicate`) or one older than a
 * status already delivered (`stale`): see push-dedupe.ts. Anything that fails after verification and parsing (Temporal unreachable) answers
 * 5xx, so OZZOBiT retries the delivery.
 */
import type { MetricMeter } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import type { OrderTracker } from '../../client/order-tracker';
import { orderKey } from '../../domain/ids';
import type { ProviderClock } from '../../providers/provider-clock';
import { parseOzzobitWebhook } from '../../providers/ozzobit/ozzobit-events';
import { type PushLogger, errorText, prefixedConsoleLogger } from './push-logger';
import { pushReceiptCounter, reportingPushes } from './push-receipts';
import type { WebhookVerifier } from '../../providers/webhook-verifier';
import { SampledLog } from '../sampled-log';

export const OZZOBIT_WEBHOOK_PATH = '/webhooks/ozzobit';

export interface OzzobitWebhookRouteOptions {
  tracker: Pick<OrderTracker, 'push'>;
  /** createOzzobitWebhookVerifier(OZZOBIT_WEBHOOK_SCHEME, OZZOBIT_WEBHOOK_SECRET); see webhook-verifier.ts. */
  verifier: WebhookVerifier;
  logger?: PushLogger;
  /** Counts what became of each webhook (push-receipts.ts). */
  meter?: MetricMeter;
  /** Wall time to OZZOBiT's (SANDBOX_TIME_SCALE against the sandbox; provider-clock.ts). */
  clock?: ProviderClock;
}

/** Registers the route (and its raw-body parser) in the scope the ingress gives it. */
export function ozzobitWebhookRoute(options: OzzobitWebhookRouteOptions): (app: FastifyInstance) => void {
  const { verifier } = options;
  const logger = options.logger ?? prefixedConsoleLogger('ozzobit webhook');
  const count = pushReceiptCounter(options.meter, 'ozzobit', 'webhook');
  const tracker = reportingPushes(options.tracker, count, logger, 'webhook');
  return (app) => {
    // Counted and sampled: a flood of unsigned webhooks must not write a line each (issue 29, R12).
    const refusals = new SampledLog(logger, 'refused webhooks (signature not verified)');
    app.addHook('onClose', async () => refusals.stop());
    // Only in this route's scope: the HTTP API keeps fastify's JSON parser.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    app.post(OZZOBIT_WEBHOOK_PATH, async (request, reply) => {
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const verification = verifier.verify({ rawBody, headers: request.headers });
      if (!verification.ok) {
        count('refused');
        refusals.note(request.socket.remoteAddress ?? 'unknown', { reason: verification.reason, scheme: verifier.scheme, bytes: rawBody.length });
        return reply.code(401).send({ error: `webhook not verified: ${verification.reason}` });
      }
      const parsed = parseOzzobitWebhook(verification.payload, Date.now(), options.clock);
      if (!parsed.ok && 'otherEvent' in parsed) {
        // The seed's handler answers every event it does not switch on with 200: so OZZOBiT stops retrying.
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
      let pushed: Awaited<ReturnType<typeof tracker.push>>;
      try {
        pushed = await tracker.push('ozzobit', orderId, observation);
      } catch (error) {
        logger.error('webhook not delivered to its order; answering an error so OZZOBiT retries', {
          orderKey: orderKey('ozzobit', orderId),
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
