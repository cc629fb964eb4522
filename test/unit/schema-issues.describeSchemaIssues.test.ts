import { z } from 'zod';
import { describeSchemaIssues } from '../../providers/schema-issues';

const schema = z.object({
  user: z.object({ market: z.object({ orders: z.object({ get_order: z.object({ status: z.string() }) }) }) }),
});
const many = z.object({ a: z.string(), b: z.string(), c: z.string(), d: z.string(), e: z.string(), f: z.string(), g: z.string() });

function errorOf<T extends z.ZodTypeAny>(type: T, value: unknown): z.ZodError {
  const result = type.safeParse(value);
  if (result.success) throw new Error('expected the value to be rejected');
  return result.error;
}

describe('describeSchemaIssues', () => {
  it.each([
    [
      'a nested path',
      errorOf(schema, { user: { market: { orders: { get_order: { status: 3 } } } } }),
      undefined,
      'user.market.orders.get_order.status: Expected string, received number',
    ],
    ['the root', errorOf(z.string(), 5), undefined, '(root): Expected string, received number'],
    ['a missing object', errorOf(schema, { user: null }), undefined, 'user: Expected object, received null'],
    [
      'more issues than the limit',
      errorOf(many, {}),
      undefined,
      'a: Required; b: Required; c: Required; d: Required; e: Required (+2 more)',
    ],
    ['a custom limit', errorOf(many, {}), 2, 'a: Required; b: Required (+5 more)'],
    ['exactly the limit', errorOf(many, { f: 'x', g: 'x' }), 5, 'a: Required; b: Required; c: Required; d: Required; e: Required'],
    ['array indexes in the path', errorOf(z.array(z.number()), [1, 'x']), undefined, '1: Expected number, received string'],
  ] as [string, z.ZodError, number | undefined, string][])('%s', (_name, error, limit, expected) => {
    expect(describeSchemaIssues(error, limit)).toBe(expected);
  });
});
