import type { ZodError } from 'zod';

/** "user.market.orders.get_order.status: Expected string, received number" — what did not match. */
export function describeSchemaIssues(error: ZodError, limit = 5): string {
  const issues = error.issues.slice(0, limit).map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    return `${path}: ${issue.message}`;
  });
  const more = error.issues.length > limit ? ` (+${error.issues.length - limit} more)` : '';
  return issues.join('; ') + more;
}
