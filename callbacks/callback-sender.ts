import { SpanStatusCode } from '@opentelemetry/api';
import { request } from 'undici';
import { withRequestSpan } from '../common/tracing';
import { parseRetryAfter } from '../providers/provider-error';
import { SIGNATURE_HEADER, signCallback } from './signature';

export interface CallbackSettings {
  url: string;
  /** Several during a key rotation: each signs, receivers accept any. */
  secrets: readonly string[];
  requestTimeoutMs?: number;
}

export type DeliveryResult =
  | { kind: 'delivered'; httpStatus: number }
  /** A 4xx other than 408/429: the receiver will not take it; retrying the same bytes will not help. */
  | { kind: 'rejected'; httpStatus: number; detail: string }
  | { kind: 'retry'; detail: string; retryAfterMs?: number };

export interface CallbackSender {
  send(body: string, idempotencyKey: string): Promise<DeliveryResult>;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * POSTs a fixed body with the idempotency key and a fresh signature; never throws. When the process
 * traces, the request is a span of the order's trace and carries its W3C `traceparent`.
 */
export function createCallbackSender(settings: CallbackSettings): CallbackSender {
  const timeoutMs = settings.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    send: (body, idempotencyKey) =>
      withRequestSpan('callback POST', { 'http.request.method': 'POST', 'callback.idempotency_key': idempotencyKey }, async (traceHeaders, span) => {
        const result = await post(body, idempotencyKey, traceHeaders);
        span?.setAttribute('callback.result', result.kind);
        if (result.kind !== 'delivered') span?.setStatus({ code: SpanStatusCode.ERROR, message: result.detail });
        return result;
      }),
  };

  async function post(body: string, idempotencyKey: string, traceHeaders: Record<string, string>): Promise<DeliveryResult> {
    try {
      const response = await request(settings.url, {
        method: 'POST',
        body,
        headers: {
          ...traceHeaders,
          'content-type': 'application/json',
          'idempotency-key': idempotencyKey,
          [SIGNATURE_HEADER.toLowerCase()]: signCallback(body, settings.secrets, Math.floor(Date.now() / 1000)),
        },
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const text = (await response.body.text()).slice(0, 200);
      const status = response.statusCode;
      if (status >= 200 && status < 300) return { kind: 'delivered', httpStatus: status };
      const detail = `receiver answered HTTP ${status}${text ? `: ${text}` : ''}`;
      if (status >= 400 && status < 500 && status !== 408 && status !== 429) return { kind: 'rejected', httpStatus: status, detail };
      const retryAfter = response.headers['retry-after'];
      return { kind: 'retry', detail, retryAfterMs: parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, Date.now()) };
    } catch (error) {
      return { kind: 'retry', detail: `callback request failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
}

/** The contract's callback body, built once when the outcome is recorded. */
export function callbackBody(fields: {
  provider: string;
  orderId: string;
  reference: string | null;
  outcome: string;
  final: boolean;
  status: string | null;
  details: Record<string, unknown>;
  workflowId: string;
  occurredAt: string;
}): string {
  const { provider, orderId, reference, outcome, final, status, details, workflowId, occurredAt } = fields;
  return JSON.stringify({ provider, orderId, reference, outcome, final, status, details, workflowId, occurredAt });
}

/**
 * The Idempotency-Key of a recorded outcome's callback. A final outcome is recorded once, ever:
 * `<provider>:<orderId>:<outcome>`. A non-final one (timed_out, tracking_cancelled) may be recorded
 * again after a re-track, with another body, so its key also carries that record's time (the body's
 * `occurredAt`): `<provider>:<orderId>:<outcome>:<occurredAt>`. One key never names two bodies.
 */
export function callbackIdempotencyKey(record: { provider: string; orderId: string; outcome: string; final: boolean; occurredAt: string }): string {
  const key = `${record.provider}:${record.orderId}:${record.outcome}`;
  return record.final ? key : `${key}:${record.occurredAt}`;
}
