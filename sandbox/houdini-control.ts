/**
 * The Houdini simulator's control routes: the shared `/_sandbox/` routes of control-api.ts (orders,
 * HTTP faults, the request log, and through `push` the push faults and push log), plus what only a
 * socket server has:
 *
 *   POST   /_sandbox/drop-sockets                                       → 200 { dropped }
 *
 * `DELETE /_sandbox/faults` clears push faults too, like `clearFaults()`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CONTROL_PATH_PREFIX, handleControlRequest } from './control-api';
import type { ControlTarget } from './control-api';
import { pushFaultSchema } from './houdini-push-faults';
import type { PushFaultBoard, PushLog } from './houdini-push-faults';
import { requestUrl, sendJson } from './http-server';

export interface HoudiniControlTarget extends Omit<ControlTarget, 'push'> {
  pushFaults: PushFaultBoard;
  pushLog: PushLog;
  dropSockets(): number;
}

export async function handleHoudiniControlRequest(
  target: HoudiniControlTarget,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = requestUrl(request);
  const route = `${request.method ?? 'GET'} ${url.pathname.slice(CONTROL_PATH_PREFIX.length).replace(/\/$/, '')}`;
  if (route === 'POST drop-sockets') return sendJson(response, 200, { dropped: target.dropSockets() });
  if (route === 'DELETE faults') target.pushFaults.clear(url.searchParams.get('orderId') ?? undefined);
  const { pushFaults, pushLog } = target;
  return handleControlRequest(
    {
      addOrder: target.addOrder,
      faults: target.faults,
      log: target.log,
      push: {
        setFault: (fault, orderId) => pushFaults.set(pushFaultSchema.parse(fault), orderId),
        clearFaults: (orderId) => pushFaults.clear(orderId),
        list: (orderId) => pushLog.list(orderId),
      },
    },
    request,
    response,
  );
}
