/**
 * MiracleCash simulator: the payment-status endpoint of seed 001 over real HTTP on 127.0.0.1,
 * answering from scripted payments, with switchable faults, a request log and the `/_sandbox/`
 * control API (see control-api.ts) on the same port.
 *
 *   GET /external/payments/prompt/:id   → 200 { id, blockchainId, status, createdAt }
 *
 * Credentials: exactly `Authorization: Basic base64(<clientId>:<apiKey>)`, as the seed's curl
 * builds it; anything else is HTTP 401. Errors are shaped as a NestJS app (which the `:id` route
 * notation suggests) shapes them: `{ statusCode, message, error }`.
 *
 * A payment shows `createdAt` = when the script was added (wall clock, not scaled), `blockchainId`
 * "eth" (the chain is chosen when the payment is created, as in the seed's `createPayment(amount,
 * 'eth')`); a script's `fields` override both (e.g. an old `createdAt` to play a prompt that has been
 * open for hours) and may add more. The 24 h expiry is played by the script, like every step:
 * `[{ status: 'pending', durationMs: 86_400_000 }, { status: 'expired' }]`.
 */
import type { IncomingMessage } from 'node:http';
import { handleControlRequest, isControlRequest, simulatorHandle } from './control-api';
import { FaultBoard } from './faults';
import type { Fault } from './faults';
import { idRouteExchange, serveExchange, startHttpServer } from './http-server';
import type { Exchange, ProviderFormat } from './http-server';
import { OrderBook } from './order-book';
import type { OrderSnapshot } from './order-book';
import { RequestLog } from './request-log';
import type { ProviderSimulator, RequestLogEntry, SimulatorOptions } from './request-log';
import { orderScriptSchema } from './scenario';
import type { OrderScript } from './scenario';
import { ALTERNATE_LATENESS_MS, type ShapeVariant } from './shape-variant';

export interface MiracleCashSandboxOptions extends SimulatorOptions {
  clientId: string;
  apiKey: string;
}

export type MiracleCashSandbox = ProviderSimulator<OrderScript, Fault>;

export const MIRACLECASH_PAYMENT_PATH = '/external/payments/prompt/';
const OPERATION = 'get_payment_prompt';

function nestError(statusCode: number, message: string, error?: string) {
  return { statusCode, message, ...(error !== undefined && { error }) };
}

const miracleCashFormat: ProviderFormat = {
  errorBody: (httpStatus, message) =>
    nestError(httpStatus, message, httpStatus === 429 ? 'Too Many Requests' : 'Internal Server Error'),
  unauthorizedBody: () => nestError(401, 'Unauthorized'),
  // No status, and the other fields in types a strict client must not accept.
  schemaDriftBody: (orderId) => ({ id: orderId ?? 'unknown', state: 'pending', blockchainId: 1, createdAt: 1738074600 }),
};

/** The payment as MiracleCash shows it; the script's id and step status always win over `fields`. */
export function miracleCashPayment(snapshot: OrderSnapshot, shape: ShapeVariant = 'seed'): Record<string, unknown> {
  const payment: Record<string, unknown> = {
    id: snapshot.script.id,
    blockchainId: 'eth',
    status: snapshot.step.status,
    createdAt: new Date(snapshot.addedAt).toISOString(),
    ...snapshot.fields,
  };
  payment.id = snapshot.script.id;
  payment.status = snapshot.step.status;
  if (shape === 'alternate') {
    // The id as a UUID often comes back: upper-case; the time without milliseconds.
    payment.id = snapshot.script.id.toUpperCase();
    if (typeof payment.createdAt === 'string') payment.createdAt = payment.createdAt.replace(/\.\d{3}Z$/, 'Z');
  }
  return payment;
}

/**
 * The alternate shape's late expiry: a step that ends in `expired` lasts a few seconds longer than
 * the script says, as a provider whose expiry job runs a little after the window ends.
 */
export function withLateExpiry(script: OrderScript, timeScale: number): OrderScript {
  const steps = script.steps.map((step, index) =>
    script.steps[index + 1]?.status === 'expired' && step.durationMs !== undefined
      ? { ...step, durationMs: step.durationMs + ALTERNATE_LATENESS_MS * timeScale }
      : step,
  );
  return { ...script, steps };
}

export async function startMiracleCashSandbox(options: MiracleCashSandboxOptions): Promise<MiracleCashSandbox> {
  if (options.clientId === '' || options.apiKey === '') {
    throw new Error('startMiracleCashSandbox needs a non-empty clientId and apiKey');
  }
  const expectedAuthorization = `Basic ${Buffer.from(`${options.clientId}:${options.apiKey}`, 'utf8').toString('base64')}`;
  const orders = new OrderBook(options.timeScale ?? 1);
  const faults = new FaultBoard();
  const log = new RequestLog();
  const shape = options.shape ?? 'seed';
  const timeScale = options.timeScale ?? 1;
  const addOrder = (script: unknown): void => {
    const parsed = orderScriptSchema.parse(script);
    orders.add(shape === 'alternate' ? withLateExpiry(parsed, timeScale) : parsed, Date.now());
  };

  const server = await startHttpServer(async (request, response, signal) => {
    if (isControlRequest(request)) return handleControlRequest({ addOrder, faults, log }, request, response);
    const exchange = paymentExchange(request, request.headers.authorization === expectedAuthorization, orders, shape);
    await serveExchange({ faults, log, format: miracleCashFormat }, response, exchange, signal);
  }, options.port);

  return simulatorHandle(server.url, server.url, { addOrder, faults, log, close: () => server.close() });
}

function paymentExchange(request: IncomingMessage, authorized: boolean, orders: OrderBook, shape: ShapeVariant): Exchange {
  return idRouteExchange(request, MIRACLECASH_PAYMENT_PATH, authorized, {
    operation: OPERATION,
    // An unmatched route is a 404 before any guard runs, as in NestJS.
    unmatched: (route) => ({ httpStatus: 404, body: nestError(404, `Cannot ${route}`, 'Not Found') }),
    badId: () => ({ httpStatus: 400, body: nestError(400, 'Invalid payment id', 'Bad Request') }),
    order: (orderId, now) => {
      const snapshot = orders.snapshot(orderId, now);
      if (snapshot === undefined) return { httpStatus: 404, body: nestError(404, 'Payment prompt not found', 'Not Found') };
      orders.recordAnswer(orderId, now);
      return { httpStatus: 200, body: miracleCashPayment(snapshot, shape) };
    },
  });
}
