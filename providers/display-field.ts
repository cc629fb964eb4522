import { Context } from '@temporalio/activity';
import { z, type ZodTypeAny } from 'zod';
import { boundText } from './bound-details';

/**
 * A field we only show (an ETA, a creation time, a chain name): a value of an unexpected type must
 * never cost us the status next to it. The value becomes null and the drop is logged, once per
 * answer, naming the provider, the field and the value's type (not the value: it may be anything).
 */
export function displayField<T extends ZodTypeAny>(provider: string, field: string, schema: T) {
  return z.unknown().transform((value): z.infer<T> | null => {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data as z.infer<T>;
    reportDroppedField(provider, field, value);
    return null;
  });
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** In an activity through its logger (with the order's context), elsewhere (ingress, bridges) on stderr. */
function reportDroppedField(provider: string, field: string, value: unknown): void {
  const message = `${provider} answered ${field} as ${typeName(value)}${typeof value === 'string' ? ` ${JSON.stringify(boundText(value.slice(0, 64)))}` : ''}; shown as null`;
  let context: Context | undefined;
  try {
    context = Context.current();
  } catch {
    context = undefined;
  }
  if (context !== undefined) context.log.warn('display field dropped', { provider, field, reason: message });
  else console.warn(JSON.stringify({ level: 'warn', message: 'display field dropped', provider, field, reason: message }));
}
