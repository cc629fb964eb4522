/**
 * The variables of what an operator watches and reads: traces (OpenTelemetry's standard names), the
 * audit trail's retention and the codec server. Part of the one schema in config.ts; kept here so
 * that file stays about the product's own settings.
 */
import { z } from 'zod';
import { duration, optionalText, optionalUrl, port } from './environment-values';

/** `name=value,name2=value2`, values percent-encoded: the OTLP headers format of the OpenTelemetry spec. */
const otlpHeaders = z
  .string()
  .trim()
  .refine((text) => text.split(',').every((pair) => /^\s*[^=\s]+\s*=.*$/.test(pair)), 'expected name=value pairs, comma-separated')
  .optional();

/** Browser origins, comma-separated: `scheme://host[:port]` each, no path. */
const origins = z
  .string()
  .trim()
  .refine((text) => text.split(',').every((origin) => /^https?:\/\/[^/\s]+$/.test(origin.trim())), 'expected origins like http://127.0.0.1:8233, comma-separated')
  .default('http://127.0.0.1:8233,http://localhost:8233');

export const observabilityVariables = {
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl.describe(
    'OpenTelemetry collector (OTLP/HTTP, JSON encoding): spans go to `<url>/v1/traces`. Set (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), `worker`, `ingress`, `dev` and `track`/`cancel` trace each order; unset, no tracing is installed',
  ),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalUrl.describe('The full URL spans are posted to, instead of `<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces`'),
  OTEL_EXPORTER_OTLP_HEADERS: otlpHeaders.describe('Headers sent with every export, `name=value,…` (a collector\'s API key); never logged'),
  OTEL_SERVICE_NAME: optionalText.describe('`service.name` of every span; by default `order-tracker-worker`, `order-tracker-ingress`, `order-tracker-cli` by process'),
  AUDIT_RETENTION: duration.default('30d').describe(
    'How long the audit trail keeps a provider answer (`status --history`, `GET /orders/:provider/:orderId/history`); each order also keeps only its last 100',
  ),
  CODEC_SERVER_PORT: port.default(8888).describe('Port of `order-tracker codec-server` (the Temporal UI decodes encrypted payloads through it)'),
  CODEC_SERVER_HOST: z.string().trim().min(1).default('127.0.0.1').describe('Address the codec server listens on'),
  CODEC_SERVER_ORIGINS: origins.describe('Browser origins of the Temporal UI allowed to call the codec server (CORS), comma-separated'),
  CODEC_SERVER_TOKEN: optionalText.describe(
    'Token the codec server requires when set, as `Authorization: Bearer <token>` or as the first path segment of the UI\'s codec endpoint; required when `CODEC_SERVER_HOST` is not loopback',
  ),
};

type Variables = z.infer<z.ZodObject<typeof observabilityVariables>>;

/** Where and how spans are exported; undefined when no endpoint is set (then nothing is installed). */
export interface TracingSettings {
  tracesUrl: string;
  headers: Record<string, string>;
  /** OTEL_SERVICE_NAME, when set: it names every process's spans. */
  serviceName?: string;
}

export function tracingSettings(environment: Variables): TracingSettings | undefined {
  const base = environment.OTEL_EXPORTER_OTLP_ENDPOINT;
  const tracesUrl = environment.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base === undefined ? undefined : `${base.replace(/\/+$/, '')}/v1/traces`);
  if (tracesUrl === undefined) return undefined;
  return { tracesUrl, headers: parseOtlpHeaders(environment.OTEL_EXPORTER_OTLP_HEADERS), serviceName: environment.OTEL_SERVICE_NAME };
}

export function parseOtlpHeaders(text: string | undefined): Record<string, string> {
  if (text === undefined) return {};
  return Object.fromEntries(
    text.split(',').map((pair) => {
      const at = pair.indexOf('=');
      return [pair.slice(0, at).trim(), decodeURIComponent(pair.slice(at + 1).trim())];
    }),
  );
}
