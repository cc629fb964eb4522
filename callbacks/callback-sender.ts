import { SpanStatusCode } from '@opentelemetry/api';
import { type Dispatcher, request } from 'undici';
import { withRequestSpan } from '../common/tracing';
import { parseRetryAfter } from '../providers/provider-error';
import { SIGNATURE_HEADER, signCallback } from './signature';

export interface CallbackSettings {
  url: string;
  /** Several during a key rotation: each signs, receivers accept any. */
  secrets: readonly string[];
  /** One attempt, whole: connect, send, headers and body (DEFAULT_TIMEOUT_MS). */
  requestTimeoutMs?: number;
  /** Unix seconds for the signature; the worker's clock unless a test sets another. */
  clock?: () => number;
}

export type DeliveryResult =
  | { kind: 'delivered'; httpStatus: number }
  /** A 4xx other than 401/403/408/429: the receiver will not take it; retrying the same bytes will not help. */
  | { kind: 'rejected'; httpStatus: number; detail: string }
  /** 401/403: the receiver refused the signature, which a skewed clock or a rotated secret causes; retried for a while. */
  | { kind: 'unauthorized'; httpStatus: number; detail: string }
  | { kind: 'retry'; detail: string; retryAfterMs?: number };

export interface CallbackSender {
  send(body: string, idempotencyKey: string): Promise<DeliveryResult>;
}

/**
 * One attempt's whole time, headers and body alike: a receiver that trickles its answer a byte at a
 * time kept an attempt (and its worker slot) for ever under an idle timeout alone (issue 29, R8).
 */
const DEFAULT_TIMEOUT_MS = 15_000;
/** Of an error answer, only this much is read: it goes into a 200-character detail, never whole into memory. */
export const MAX_ERROR_BODY_BYTES = 4 * 1024;

/** The start of the body, at most `maxBytes`; the rest is never read (leaving the loop closes the stream). */
async function bodyStart(body: Dispatcher.ResponseData['body'], maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const bytes = Buffer.from(chunk as Uint8Array);
    chunks.push(bytes.subarray(0, maxBytes - size));
    size += bytes.length;
    if (size >= maxBytes) break;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * POSTs a fixed body with the idempotency key and a fresh signature; never throws. When the process
 * traces, the request is a span of the order's trace and carries its W3C `traceparent`.
 */
export function createCallbackSender(settings: CallbackSettings): CallbackSender {
  const timeoutMs = settings.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const clock = settings.clock ?? (() => Math.floor(Date.now() / 1000));
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
    const deadline = AbortSignal.timeout(timeoutMs);
    try {
      const response = await request(settings.url, {
        method: 'POST',
        body,
        headers: {
          ...traceHeaders,
          'content-type': 'application/json',
          'idempotency-key': idempotencyKey,
          [SIGNATURE_HEADER.toLowerCase()]: signCallback(body, settings.secrets, clock()),
        },
        signal: deadline,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const status = response.statusCode;
      if (status >= 200 && status < 300) {
        // A 2xx says it all: a little of its body is drained so the connection can be reused, no more.
        await response.body.dump({ limit: MAX_ERROR_BODY_BYTES }).catch(() => undefined);
        return { kind: 'delivered', httpStatus: status };
      }
      const text = (await bodyStart(response.body, MAX_ERROR_BODY_BYTES)).slice(0, 200);
      const detail = `receiver answered HTTP ${status}${text ? `: ${text}` : ''}`;
      if (status === 401 || status === 403) return { kind: 'unauthorized', httpStatus: status, detail };
      if (status >= 400 && status < 500 && status !== 408 && status !== 429) return { kind: 'rejected', httpStatus: status, detail };
      const retryAfter = response.headers['retry-after'];
      return { kind: 'retry', detail, retryAfterMs: parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, Date.now()) };
    } catch (error) {
      if (deadline.aborted) return { kind: 'retry', detail: `callback receiver did not answer within ${timeoutMs} ms` };
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
