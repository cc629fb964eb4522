/**
 * Flood control at the ingress (issue 29, R12): per client (remote address), at most so many open
 * connections and so many requests a second. One client held 2,000 slow sockets before, and 10,000
 * unsigned webhooks at 1,154/s each cost a log line. Over the connection cap the socket is closed at
 * once; over the rate a request is answered 429 with Retry-After before any route runs. Each refusal
 * is counted (`order_tracker_ingress_refusals{reason}`) and logged as a sampled line (sampled-log.ts).
 * Behind a reverse proxy every request comes from the proxy's address: raise the limits there, or
 * let the proxy do this.
 */
import type { MetricMeter } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import type { Socket } from 'node:net';
import type { PushLogger } from '../providers/push/push-logger';
import { SampledLog } from './sampled-log';

export const INGRESS_REFUSALS_METRIC = 'order_tracker_ingress_refusals';

export interface FloodLimits {
  /** Open connections one client may hold. */
  connectionsPerClient: number;
  /** Requests a second one client may make, on average (a token bucket)… */
  requestsPerSecond: number;
  /** …and at once, after a quiet spell. */
  burst: number;
}

/** Far above what a provider's webhooks or a backend's calls need; far below what starves the process. */
export const DEFAULT_FLOOD_LIMITS: FloodLimits = { connectionsPerClient: 64, requestsPerSecond: 100, burst: 200 };

export type RefusalReason = 'connections' | 'rate';

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets kept at most; past it, the ones refilled to full (idle clients) are dropped. */
const MAX_BUCKETS = 10_000;

export function installFloodControl(app: FastifyInstance, limits: FloodLimits, logger: PushLogger, meter?: MetricMeter, now: () => number = Date.now): void {
  const counter = meter?.createCounter(INGRESS_REFUSALS_METRIC, '', 'Connections and requests the ingress refused, by reason (connections, rate)');
  const logs: Record<RefusalReason, SampledLog> = {
    connections: new SampledLog(logger, `refused connections over the cap of ${limits.connectionsPerClient} per client`),
    rate: new SampledLog(logger, `refused requests over ${limits.requestsPerSecond}/s per client (429)`),
  };
  const refuse = (reason: RefusalReason, client: string) => {
    counter?.add(1, { reason });
    logs[reason].note(client);
  };

  const open = new Map<string, number>();
  app.server.on('connection', (socket: Socket) => {
    const client = socket.remoteAddress ?? 'unknown';
    const count = (open.get(client) ?? 0) + 1;
    if (count > limits.connectionsPerClient) {
      refuse('connections', client);
      socket.destroy();
      return;
    }
    open.set(client, count);
    socket.once('close', () => {
      const left = (open.get(client) ?? 1) - 1;
      if (left <= 0) open.delete(client);
      else open.set(client, left);
    });
  });

  const buckets = new Map<string, Bucket>();
  app.addHook('onRequest', async (request, reply) => {
    const client = request.socket.remoteAddress ?? 'unknown';
    const time = now();
    const bucket = buckets.get(client) ?? { tokens: limits.burst, at: time };
    bucket.tokens = Math.min(limits.burst, bucket.tokens + ((time - bucket.at) / 1000) * limits.requestsPerSecond);
    bucket.at = time;
    buckets.set(client, bucket);
    if (buckets.size > MAX_BUCKETS) dropIdleBuckets(buckets, limits, time);
    if (bucket.tokens < 1) {
      refuse('rate', client);
      return reply.code(429).header('retry-after', '1').send({ error: `too many requests from ${client}: at most ${limits.requestsPerSecond} a second` });
    }
    bucket.tokens -= 1;
  });

  app.addHook('onClose', async () => {
    logs.connections.stop();
    logs.rate.stop();
  });
}

function dropIdleBuckets(buckets: Map<string, Bucket>, limits: FloodLimits, time: number): void {
  for (const [client, bucket] of buckets) {
    if (bucket.tokens + ((time - bucket.at) / 1000) * limits.requestsPerSecond >= limits.burst) buckets.delete(client);
  }
}
