/**
 * The `/_sandbox/` control API every simulator serves beside its provider API, so another process
 * (the `order-tracker sandbox` command, the demo, tests running elsewhere) can script orders, switch
 * faults and read the request log. No credentials: the server only listens on 127.0.0.1.
 *
 *   POST   /_sandbox/orders                 body: an order script        → 201 { id }
 *   POST   /_sandbox/faults                 body: { fault, orderId? }    → 204
 *   DELETE /_sandbox/faults[?orderId=…]     all faults, or one order's   → 204
 *   GET    /_sandbox/requests[?orderId=…]                                → 200 { requests: [...] }
 *
 * Simulators with a push side (webhooks, sockets) also serve, when they pass `push`:
 *   POST   /_sandbox/push-faults            body: { fault, orderId? }    → 204
 *   DELETE /_sandbox/push-faults[?orderId=…]                             → 204
 *   GET    /_sandbox/pushes[?orderId=…]                                  → 200 { pushes: [...] }
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z, ZodError } from 'zod';
import { faultSchema } from './faults';
import type { Fault, FaultBoard } from './faults';
import { BodyTooLargeError, readBody, requestUrl, sendJson } from './http-server';
import type { ProviderSimulator, RequestLog } from './request-log';

export const CONTROL_PATH_PREFIX = '/_sandbox/';

export interface ControlTarget {
  /** Validates a script in the simulator's own shape and adds it; throws a ZodError when invalid. */
  addOrder(script: unknown): void;
  faults: FaultBoard;
  log: RequestLog;
  /** The push side, for simulators that push; without it the push routes answer 404. */
  push?: PushControl;
}

export interface PushControl {
  /** Validates the simulator's own push fault and sets it; throws a ZodError when invalid. */
  setFault(fault: unknown, orderId?: string): void;
  clearFaults(orderId?: string): void;
  list(orderId?: string): unknown[];
}

const setFaultBody = z.object({ fault: faultSchema, orderId: z.string().min(1).optional() }).strict();
const setPushFaultBody = z.object({ fault: z.unknown(), orderId: z.string().min(1).optional() }).strict();

export function isControlRequest(request: IncomingMessage): boolean {
  return requestUrl(request).pathname.startsWith(CONTROL_PATH_PREFIX);
}

export async function handleControlRequest(target: ControlTarget, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = requestUrl(request);
  const route = `${request.method ?? 'GET'} ${url.pathname.slice(CONTROL_PATH_PREFIX.length).replace(/\/$/, '')}`;
  const orderId = url.searchParams.get('orderId') ?? undefined;
  try {
    if (target.push !== undefined && (await handlePushRoute(target.push, route, orderId, request, response))) return;
    switch (route) {
      case 'POST orders': {
        const script = await readJson(request);
        target.addOrder(script);
        sendJson(response, 201, { id: (script as { id: unknown }).id });
        return;
      }
      case 'POST faults': {
        const body = setFaultBody.parse(await readJson(request));
        target.faults.set(body.fault, body.orderId);
        response.writeHead(204).end();
        return;
      }
      case 'DELETE faults':
        target.faults.clear(orderId);
        response.writeHead(204).end();
        return;
      case 'GET requests':
        sendJson(response, 200, { requests: target.log.list(orderId) });
        return;
      default:
        sendJson(response, 404, { error: `no control route ${request.method} ${url.pathname}` });
    }
  } catch (error) {
    if (error instanceof ZodError) sendJson(response, 400, { error: 'invalid body', issues: error.issues });
    else if (error instanceof BodyTooLargeError) sendJson(response, 413, { error: error.message });
    else if (error instanceof SyntaxError) sendJson(response, 400, { error: `body is not JSON: ${error.message}` });
    else throw error;
  }
}

async function handlePushRoute(
  push: PushControl,
  route: string,
  orderId: string | undefined,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<boolean> {
  switch (route) {
    case 'POST push-faults': {
      const body = setPushFaultBody.parse(await readJson(request));
      push.setFault(body.fault, body.orderId);
      response.writeHead(204).end();
      return true;
    }
    case 'DELETE push-faults':
      push.clearFaults(orderId);
      response.writeHead(204).end();
      return true;
    case 'GET pushes':
      sendJson(response, 200, { pushes: push.list(orderId) });
      return true;
    default:
      return false;
  }
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  return JSON.parse(await readBody(request)) as unknown;
}

/** The handle of a simulator without pushes: its API base, the control API, its faults and its log. */
export function simulatorHandle<Script>(
  serverUrl: string,
  url: string,
  parts: { addOrder(script: Script): void; faults: FaultBoard; log: RequestLog; close(): Promise<void> },
): ProviderSimulator<Script, Fault> {
  const { faults, log } = parts;
  return {
    url,
    controlUrl: `${serverUrl}${CONTROL_PATH_PREFIX}`,
    addOrder: parts.addOrder,
    setFault: (fault, orderId) => faults.set(fault, orderId),
    clearFaults: (orderId) => faults.clear(orderId),
    requests: (orderId) => log.list(orderId),
    close: parts.close,
  };
}
