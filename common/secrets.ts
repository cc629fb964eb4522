/**
 * The credentials this process was configured with: every variable whose name says it holds one
 * (`…_KEY`, `…_SECRET`, `…_TOKEN`, `…_PASSWORD`), the values of the OTLP export headers and the
 * password of a database URL. The audit trail redacts them wherever a provider answer repeats one.
 */
import type { Environment } from './config';
import { parseOtlpHeaders } from './observability-variables';

const CREDENTIAL_VARIABLE = /(_KEY|_SECRET|_TOKEN|_PASSWORD)$/;

export function configuredSecrets(environment: Environment): string[] {
  const values = Object.entries(environment as Record<string, unknown>)
    .filter(([name, value]) => CREDENTIAL_VARIABLE.test(name) && typeof value === 'string')
    // Comma-separated lists (a key rotation, several callback secrets) hold one secret per item.
    .flatMap(([, value]) => (value as string).split(','))
    .concat(Object.values(parseOtlpHeaders(environment.OTEL_EXPORTER_OTLP_HEADERS)))
    .map((value) => value.trim())
    .filter((value) => value.length > 0);
  const password = databasePassword(environment.DATABASE_URL);
  return [...new Set(password === undefined ? values : [...values, password])];
}

function databasePassword(url: string | undefined): string | undefined {
  if (url === undefined || !url.startsWith('postgres')) return undefined;
  try {
    const password = new URL(url).password;
    return password === '' ? undefined : decodeURIComponent(password);
  } catch {
    return undefined;
  }
}
