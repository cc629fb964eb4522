/**
 * An order id as the contract allows it, and the error bad input raises. Apart from order-input.ts
 * (which reads provider names from the registry) so that provider code reading an id a push names
 * does not load the registry that loads it.
 */

/** Contract: 1–128 characters of A–Z a–z 0–9 . _ : - */
const ORDER_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
/**
 * Path segments, not ids: an order id goes into provider URLs (`…/orders/<id>`), where `.` and `..`
 * would name the endpoint itself or its parent instead of an order.
 */
const DOT_SEGMENTS = new Set(['.', '..']);

export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
}

/** Names a bad value without trusting it: an object's own toString or toJSON may throw. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null || ['undefined', 'number', 'boolean'].includes(typeof value)) return String(value);
  return `of type ${typeof value}`;
}

export function parseOrderId(value: unknown): string {
  if (typeof value === 'string' && DOT_SEGMENTS.has(value)) {
    throw new InvalidInputError(`invalid order id ${describeValue(value)}: '.' and '..' are path segments, not order ids`);
  }
  if (typeof value === 'string' && ORDER_ID_PATTERN.test(value)) return value;
  throw new InvalidInputError(`invalid order id ${describeValue(value)}: use 1-128 characters of A-Z a-z 0-9 . _ : -`);
}
