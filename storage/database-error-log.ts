/**
 * Where a database layer reports a lost connection; it never throws. A type of its own, apart from
 * postgres-pool.ts: the worker side's declarations name it, and must compile without node-postgres's types.
 */
export type DatabaseErrorLog = (message: string, fields: Record<string, unknown>) => void;
