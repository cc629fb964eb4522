import type { ProviderName } from '../workflows/types';

/**
 * Provider-wide back-off after a 429. The per-order floor and the server-side budget keep the
 * average rate; when the provider still says "too many", every order of that provider on this
 * worker waits until its Retry-After has passed, not only the order that got the 429.
 */
export class ProviderGate {
  private readonly pausedUntil = new Map<ProviderName, number>();

  constructor(private readonly now: () => number = Date.now) {}

  pause(provider: ProviderName, retryAfterMs: number): void {
    const until = this.now() + retryAfterMs;
    if (until > (this.pausedUntil.get(provider) ?? 0)) this.pausedUntil.set(provider, until);
  }

  /** Milliseconds until the provider may be asked again (0 when it may be now). */
  remaining(provider: ProviderName): number {
    return Math.max(0, (this.pausedUntil.get(provider) ?? 0) - this.now());
  }
}
