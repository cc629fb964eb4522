import type { LogMetadata, Logger } from '@temporalio/common';

/** What push routes and bridges log through: any Temporal Runtime logger fits. */
export type PushLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

/** For `order-tracker ingress` when nothing else is given: one line per entry, prefixed. */
export function prefixedConsoleLogger(prefix: string): PushLogger {
  const line = (message: string, meta: LogMetadata | undefined) => `${prefix}: ${message}${meta === undefined ? '' : ` ${JSON.stringify(meta)}`}`;
  return {
    info: (message, meta) => console.log(line(message, meta)),
    warn: (message, meta) => console.warn(line(message, meta)),
    error: (message, meta) => console.error(line(message, meta)),
  };
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
