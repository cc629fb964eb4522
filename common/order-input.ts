import { isProviderName, registeredProviders } from '../providers/registry';
import type { ProviderName } from '../domain/types';

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
function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null || ['undefined', 'number', 'boolean'].includes(typeof value)) return String(value);
  return `of type ${typeof value}`;
}

export function parseProvider(value: unknown): ProviderName {
  if (typeof value === 'string' && isProviderName(value)) return value;
  const names = registeredProviders().map((descriptor) => descriptor.name);
  throw new InvalidInputError(`unknown provider ${describeValue(value)}: expected one of ${names.join(', ')}`);
}

export function parseOrderId(value: unknown): string {
  if (typeof value === 'string' && DOT_SEGMENTS.has(value)) {
    throw new InvalidInputError(`invalid order id ${describeValue(value)}: '.' and '..' are path segments, not order ids`);
  }
  if (typeof value === 'string' && ORDER_ID_PATTERN.test(value)) return value;
  throw new InvalidInputError(`invalid order id ${describeValue(value)}: use 1-128 characters of A-Z a-z 0-9 . _ : -`);
}

/** A merchant reference travels into history and callbacks: keep it short and printable. */
export function parseReference(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' && value.length >= 1 && value.length <= 256 && !/[\u0000-\u001f]/.test(value)) return value;
  throw new InvalidInputError('invalid reference: use 1-256 printable characters');
}
