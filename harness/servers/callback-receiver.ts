import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyCallbackSignature } from '../../callbacks/signature';

export interface ReceivedCallback {
  idempotencyKey: string;
  body: string;
  signatureValid: boolean;
  status: number;
  /** Date.now() when its body had arrived. */
  at: number;
  /** The W3C trace context the sender passed on, when it traces. */
  traceparent?: string;
}

export interface CallbackReceiver {
  url: string;
  received: ReceivedCallback[];
  /** Keys answered 2xx, each counted once however often it arrived (what a careful merchant does). */
  accepted(): Map<string, number>;
  /** Decides the answer to each request; 200 by default. */
  answer: (request: { idempotencyKey: string; attempt: number }) => number;
  /**
   * Awaited after a request is verified, decided and recorded, before its answer is written: a test
   * can kill the sender or cancel its workflow while the delivery is still in flight.
   */
  beforeAnswer?: (request: { idempotencyKey: string; attempt: number; status: number }) => Promise<void> | void;
  /** Keys processed: the first 2xx of each key (what a receiver that dedupes by key acts on), in order. */
  processed(): string[];
  /** Deliveries of a key that was already processed (answered 2xx again, and not acted on). */
  duplicates(): number;
  /** Requests currently between arrival and answer. */
  inFlight(): number;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** A merchant's callback endpoint on 127.0.0.1 that verifies signatures and records every delivery. */
export async function startCallbackReceiver(secret: string): Promise<CallbackReceiver> {
  const received: ReceivedCallback[] = [];
  const attempts = new Map<string, number>();
  const acceptedKeys = new Map<string, number>();
  const processedKeys: string[] = [];
  let duplicateDeliveries = 0;
  let inFlight = 0;
  const receiver: CallbackReceiver = {
    url: '',
    received,
    accepted: () => acceptedKeys,
    answer: () => 200,
    processed: () => [...processedKeys],
    duplicates: () => duplicateDeliveries,
    inFlight: () => inFlight,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = createServer(async (request, response) => {
    inFlight += 1;
    const body = await readBody(request);
    const idempotencyKey = String(request.headers['idempotency-key'] ?? '');
    const signatureValid = verifyCallbackSignature(
      request.headers['x-order-tracker-signature'] as string | undefined,
      body,
      secret,
      Math.floor(Date.now() / 1000),
    );
    const attempt = (attempts.get(idempotencyKey) ?? 0) + 1;
    attempts.set(idempotencyKey, attempt);
    const status = signatureValid ? receiver.answer({ idempotencyKey, attempt }) : 401;
    const traceparent = typeof request.headers.traceparent === 'string' ? request.headers.traceparent : undefined;
    received.push({ idempotencyKey, body, signatureValid, status, at: Date.now(), ...(traceparent !== undefined && { traceparent }) });
    if (status >= 200 && status < 300) {
      const times = (acceptedKeys.get(idempotencyKey) ?? 0) + 1;
      acceptedKeys.set(idempotencyKey, times);
      if (times === 1) processedKeys.push(idempotencyKey);
      else duplicateDeliveries += 1;
    }
    try {
      await receiver.beforeAnswer?.({ idempotencyKey, attempt, status });
    } catch (error) {
      console.error(`callback receiver: beforeAnswer failed: ${String(error)}`);
    } finally {
      inFlight -= 1;
    }
    // The sender may be gone by now (killed while waiting): its socket is closed, the write goes nowhere.
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: status < 300 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks`;
  return receiver;
}
