import type { LogMetadata, Logger, MetricMeter } from '@temporalio/common';

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

/** Each line of `logger` with `component` in its metadata: which route or bridge wrote it. */
export function componentLogger(logger: PushLogger, component: string): PushLogger {
  const withComponent = (meta: LogMetadata | undefined): LogMetadata => ({ component, ...meta });
  return {
    info: (message, meta) => logger.info(message, withComponent(meta)),
    warn: (message, meta) => logger.warn(message, withComponent(meta)),
    error: (message, meta) => logger.error(message, withComponent(meta)),
  };
}

/** How the routes and bridges of a process report: its log (JSON through the Runtime) and metric meter. */
export interface PushReporting {
  logger: PushLogger;
  meter?: MetricMeter;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
