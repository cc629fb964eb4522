import type { LogMetadata, Logger } from '@temporalio/common';

/** What the bridge logs through: any Temporal Runtime logger fits. */
export type BridgeLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

/** For `order-tracker ingress` when nothing else is given: one line per entry, prefixed. */
export const consoleLogger: BridgeLogger = {
  info: (message, meta) => console.log(`houdini bridge: ${message}${metaText(meta)}`),
  warn: (message, meta) => console.warn(`houdini bridge: ${message}${metaText(meta)}`),
  error: (message, meta) => console.error(`houdini bridge: ${message}${metaText(meta)}`),
};

function metaText(meta: LogMetadata | undefined): string {
  return meta === undefined ? '' : ` ${JSON.stringify(meta)}`;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
