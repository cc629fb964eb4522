/**
 * Structured logs: one JSON line per log entry (the SDK's, the workflows' and activities' context
 * loggers, and Core's forwarded logs), carrying the order key so one order's lines can be found
 * across workers: `{"time","level","message","orderKey","workflowId","activityType",…}`.
 */
import { DefaultLogger, type LogEntry, type Logger, type LogLevel } from '@temporalio/worker';

/** Long and useless in a log line. */
const DROPPED_FIELDS = new Set(['taskToken']);

/** `order:<provider>:<orderId>` → `<provider>:<orderId>` (the ledger's key); undefined for other ids. */
export function orderKeyOfWorkflowId(workflowId: unknown): string | undefined {
  if (typeof workflowId !== 'string' || !workflowId.startsWith('order:')) return undefined;
  const key = workflowId.slice('order:'.length);
  return key.includes(':') ? key : undefined;
}

/** Errors and bigints are not JSON by themselves. */
function toJson(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

/** The JSON line (without its newline) of one log entry. */
export function formatLogEntry(entry: LogEntry): string {
  const meta = Object.fromEntries(Object.entries(entry.meta ?? {}).filter(([name]) => !DROPPED_FIELDS.has(name)));
  const orderKey = typeof meta.orderKey === 'string' ? meta.orderKey : orderKeyOfWorkflowId(meta.workflowId);
  const line = {
    time: new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString(),
    level: entry.level,
    message: entry.message,
    ...(orderKey !== undefined && { orderKey }),
    ...meta,
  };
  try {
    return JSON.stringify(line, toJson);
  } catch {
    // A circular value in the metadata: keep the line, drop what cannot be written.
    return JSON.stringify({ time: line.time, level: line.level, message: line.message, orderKey, unserialisableMeta: true });
  }
}

/** A Runtime logger writing JSON lines through `write` (e.g. to stdout), from `level` up. */
export function createJsonLogger(write: (line: string) => void, level: LogLevel = 'INFO'): Logger {
  return new DefaultLogger(level, (entry) => write(`${formatLogEntry(entry)}\n`));
}
