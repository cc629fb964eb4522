/**
 * Control routes only the Houdini simulator has (its pushes), served before the shared `/_sandbox/`
 * routes of control-api.ts, which handle orders, HTTP faults and the request log:
 *
 *   POST   /_sandbox/push-faults            body: { fault, orderId? }   → 204
 *   DELETE /_sandbox/push-faults[?orderId=…]                             → 204
 *   GET    /_sandbox/pushes[?orderId=…]                                 → 200 { pushes: [...] }
 *   POST   /_sandbox/drop-sockets                                       → 200 { dropped }
 *
 * `DELETE /_sandbox/faults` clears push faults too, like `clearFaults()`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z, ZodError } from 'zod';
import { CONTROL_PATH_PREFIX, handleControlRequest } from './control-api';
import type { ControlTarget } from './control-api';
import { pushFaultSchema } from './houdini-push-faults';
import type { PushFaultBoard, PushLog } from './houdini-push-faults';
import { BodyTooLargeError, readBody, requestUrl, sendJson } from './http-server';

export interface HoudiniControlTarget extends ControlTarget {
  pushFaults: PushFaultBoard;
  pushLog: PushLog;
  dropSockets(): number;
}

const setPushFaultBody = z.object({ fault: pushFaultSchema, orderId: z.string().min(1).optional() }).strict();

export async function handleHoudiniControlRequest(
  target: HoudiniControlTarget,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = requestUrl(request);
  const route = `${request.method ?? 'GET'} ${url.pathname.slice(CONTROL_PATH_PREFIX.length).replace(/\/$/, '')}`;
  const orderId = url.searchParams.get('orderId') ?? undefined;
  switch (route) {
    case 'POST push-faults':
      try {
        const body = setPushFaultBody.parse(JSON.parse(await readBody(request)));
        target.pushFaults.set(body.fault, body.orderId);
        response.writeHead(204).end();
      } catch (error) {
        if (error instanceof ZodError) sendJson(response, 400, { error: 'invalid body', issues: error.issues });
        else if (error instanceof BodyTooLargeError) sendJson(response, 413, { error: error.message });
        else if (error instanceof SyntaxError) sendJson(response, 400, { error: `body is not JSON: ${error.message}` });
        else throw error;
      }
      return;
    case 'DELETE push-faults':
      target.pushFaults.clear(orderId);
      response.writeHead(204).end();
      return;
    case 'GET pushes':
      sendJson(response, 200, { pushes: target.pushLog.list(orderId) });
      return;
    case 'POST drop-sockets':
      sendJson(response, 200, { dropped: target.dropSockets() });
      return;
    case 'DELETE faults':
      target.pushFaults.clear(orderId);
      return handleControlRequest(target, request, response);
    default:
      return handleControlRequest(target, request, response);
  }
}
