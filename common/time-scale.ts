import { ConfigError, type Config } from './config';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const PROVIDER_URLS = ['MAGMA_URL', 'MIRACLECASH_URL', 'OZZOBIT_URL', 'OZZOBIT_WS_URL', 'HOUDINI_URL', 'HOUDINI_WS_URL'] as const;

/**
 * A time scale shrinks every cadence and the 5 s floor: fine against the loopback sandbox, a
 * throttling (or a ban) against a real provider. Refused unless every provider URL is loopback.
 */
export function assertTimeScaleAllowed(config: Config, timeScale: number): void {
  if (timeScale === 1) return;
  for (const name of PROVIDER_URLS) {
    const value = config.environment[name];
    if (value !== undefined && !LOOPBACK_HOSTS.has(new URL(value).hostname)) {
      throw new ConfigError(`a time scale of ${timeScale} is only allowed against the loopback sandbox, but ${name} is ${value}`);
    }
  }
}
