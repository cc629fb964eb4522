/**
 * The Temporal Runtime of a worker process: JSON logs (logging.ts) and, with METRICS_PORT, a
 * Prometheus endpoint serving the SDK's metrics and ours (metrics-interceptor.ts). Installed once,
 * before the first connection, by the commands that run workers (`worker`, `dev`).
 */
import { Runtime } from '@temporalio/worker';
import type { Config } from '../common/config';
import { createJsonLogger } from './logging';
import { METRIC_BUCKETS } from './metrics-interceptor';

/** host:port for the exporter; an IPv6 host goes in brackets. */
export function metricsBindAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export interface Telemetry {
  /** Where Prometheus scrapes, e.g. http://127.0.0.1:9464/metrics; undefined without METRICS_PORT. */
  metricsUrl?: string;
}

/** Installs the Runtime; `writeLog` receives each JSON log line (with its newline). */
export function installTelemetry(config: Config, writeLog: (line: string) => void): Telemetry {
  const { METRICS_HOST: host, METRICS_PORT: port } = config.environment;
  const bindAddress = port === undefined ? undefined : metricsBindAddress(host, port);
  try {
    Runtime.install({
      logger: createJsonLogger(writeLog),
      telemetryOptions: {
        // Core's own warnings go through the same JSON logger instead of its console format.
        logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
        ...(bindAddress !== undefined && {
          metrics: { prometheus: { bindAddress, histogramBucketOverrides: METRIC_BUCKETS } },
        }),
      },
    });
  } catch (error) {
    if (bindAddress === undefined) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot serve metrics at ${bindAddress} (METRICS_HOST, METRICS_PORT): ${reason}`);
  }
  return { metricsUrl: bindAddress === undefined ? undefined : `http://${bindAddress}/metrics` };
}
