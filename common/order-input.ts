import { isProviderName, registeredProviders } from '../providers/registry';
import type { ProviderName } from '../domain/types';
import { InvalidInputError, describeValue } from './order-id';

export { InvalidInputError, parseOrderId } from './order-id';

export function parseProvider(value: unknown): ProviderName {
  if (typeof value === 'string' && isProviderName(value)) return value;
  const names = registeredProviders().map((descriptor) => descriptor.name);
  throw new InvalidInputError(`unknown provider ${describeValue(value)}: expected one of ${names.join(', ')}`);
}

/** A merchant reference travels into history and callbacks: keep it short and printable. */
export function parseReference(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' && value.length >= 1 && value.length <= 256 && !/[\u0000-\u001f]/.test(value)) return value;
  throw new InvalidInputError('invalid reference: use 1-256 printable characters');
}
