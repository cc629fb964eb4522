/**
 * Houdini orders as the simulator shows them: the script format, the order object (one shape for
 * `GET /v2/orders/{houdiniId}`, the list and `order_update` pushes), and Houdini-style error bodies.
 * The status codes are the seed's table, kept here on the provider's side on purpose: the
 * simulator is the provider, the adapter is our reading of it, and neither may borrow the other's.
 */
import { z } from 'zod';
import type { ProviderFormat } from './http-server';
import type { OrderSnapshot } from './order-book';
import { orderScriptSchema } from './scenario';
import type { ShapeVariant } from './shape-variant';
import type { OrderScript } from './scenario';

/** Seed 003, "Order Status Codes". */
export const HOUDINI_STATUS_CODES: Readonly<Record<string, number>> = {
  INITIALIZING: -2,
  NEW: -1,
  WAITING: 0,
  CONFIRMING: 1,
  EXCHANGING: 2,
  ANONYMIZING: 3,
  FINISHED: 4,
  EXPIRED: 5,
  FAILED: 6,
  REFUNDED: 7,
  DELETED: 8,
};

/** Seed: "Expired (no deposit within 30 minutes)". */
export const HOUDINI_DEPOSIT_WINDOW_MS = 30 * 60_000;

/**
 * A step's status is a label from the seed's table (`WAITING`) or an integer code (`'0'`, `'9'`),
 * so a script can also play a code the seed never lists.
 */
export function statusCodeOf(status: string): number | undefined {
  const known = HOUDINI_STATUS_CODES[status];
  if (known !== undefined) return known;
  return /^-?\d{1,4}$/.test(status) ? Number(status) : undefined;
}

export interface HoudiniOrderScript extends OrderScript {
  /** The partner account the order belongs to; the sandbox's own partner unless told otherwise. */
  partnerId?: string;
  /** A private swap: its routing path is censored (`route: null`). */
  anonymous?: boolean;
  /** Simulated deposit window: `expires` = creation + this (scaled). Defaults to the seed's 30 min. */
  depositWindowMs?: number;
  /** `GET /v2/orders` leaves it out (a list replica lagging behind), `GET /v2/orders/{id}` answers it. */
  unlisted?: boolean;
}

export const houdiniScriptSchema = orderScriptSchema
  .extend({
    partnerId: z.string().min(1).optional(),
    anonymous: z.boolean().optional(),
    unlisted: z.boolean().optional(),
    depositWindowMs: z.number().positive().finite().optional(),
  })
  .superRefine((script, context) => {
    script.steps.forEach((step, index) => {
      if (statusCodeOf(step.status) === undefined) {
        context.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['steps', index, 'status'],
          message: `status must be a Houdini label (${Object.keys(HOUDINI_STATUS_CODES).join(', ')}) or an integer code`,
        });
      }
    });
  });

/**
 * The order at one step. Defaults describe a standard BTC → ETH swap; a step's `fields` override
 * any of them except `houdiniId` and `status`. `expires` ends the deposit window (scaled like every
 * simulated duration); the sandbox does not expire orders by itself: the script says what happens.
 */
export function houdiniOrder(snapshot: OrderSnapshot<HoudiniOrderScript>, timeScale: number, shape: ShapeVariant = 'seed'): Record<string, unknown> {
  const { script } = snapshot;
  const anonymous = script.anonymous ?? false;
  const depositWindowMs = (script.depositWindowMs ?? HOUDINI_DEPOSIT_WINDOW_MS) / timeScale;
  const merged: Record<string, unknown> = {
    created: new Date(snapshot.addedAt).toISOString(),
    expires: new Date(snapshot.addedAt + depositWindowMs).toISOString(),
    anonymous,
    depositAddress: 'bc1qhoudinisandboxdeposit0000000000000000',
    depositTag: null,
    receiverAddress: '0x5a0b54d5dc17e0aadc383d2db43b0a0d3e029c4c',
    receiverTag: null,
    inAmount: 0.05,
    inSymbol: 'BTC',
    outAmount: 1.2154,
    outSymbol: 'ETH',
    eta: anonymous ? 30 : 10,
    inTxHash: null,
    outTxHash: null,
    route: 'BTC → ETH',
    ...snapshot.fields,
  };
  // The script's id and step status always win over anything in `fields`.
  delete merged.houdiniId;
  delete merged.status;
  const order: Record<string, unknown> = { houdiniId: script.id, status: statusCodeOf(snapshot.step.status), ...merged };
  // Seed: "Anonymous/private swap orders have their routing path censored from the response."
  if (anonymous) order.route = null;
  return shape === 'alternate' ? alternateShape(order) : order;
}

/**
 * The same order typed the other ways the seed allows (it names no field but `status`): `eta` as a
 * string, `expires` as epoch seconds, amounts as decimal strings, no `created` or `anonymous`.
 */
function alternateShape(order: Record<string, unknown>): Record<string, unknown> {
  const shaped: Record<string, unknown> = { ...order, partnerFee: '0.001' };
  const expires = typeof order.expires === 'string' ? Date.parse(order.expires) : Number.NaN;
  shaped.expires = Number.isFinite(expires) ? Math.floor(expires / 1000) : order.expires;
  if (typeof order.eta === 'number') shaped.eta = String(order.eta);
  if (typeof order.inAmount === 'number') shaped.inAmount = String(order.inAmount);
  if (typeof order.outAmount === 'number') shaped.outAmount = String(order.outAmount);
  delete shaped.created;
  delete shaped.anonymous;
  return shaped;
}

/** NestJS-style error bodies (`{ statusCode, message, error }`), our reading of Houdini's API. */
export function houdiniErrorBody(statusCode: number, message: string): Record<string, unknown> {
  const names: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    404: 'Not Found',
    405: 'Method Not Allowed',
    429: 'Too Many Requests',
    500: 'Internal Server Error',
  };
  return { statusCode, message, error: names[statusCode] ?? 'Error' };
}

export const houdiniFormat: ProviderFormat = {
  errorBody: (httpStatus, message) => houdiniErrorBody(httpStatus, message),
  unauthorizedBody: () => houdiniErrorBody(401, 'Invalid or missing credentials: use Authorization: partnerId:secret'),
  schemaDriftBody: (orderId) => ({
    // No numeric status, and the fields we read in types a strict client must not accept.
    houdiniId: orderId ?? 'unknown',
    state: 'FINISHED',
    expires: 1781116920,
    inAmount: { value: 0.05 },
    inSymbol: 42,
    anonymous: 'no',
  }),
};
