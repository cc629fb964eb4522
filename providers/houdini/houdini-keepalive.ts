/**
 * Application-level keepalive for Houdini's socket (seed 003: `ping` → `pong`). A connection can
 * die without a close (a NAT drops it, the server hangs); without a deadline the bridge would sit
 * on a dead socket and miss every update until the next poll. So: a ping every `intervalMs`, and
 * no `pong` within `timeoutMs` means the connection is gone.
 */
export interface KeepaliveOptions {
  intervalMs: number;
  timeoutMs: number;
  sendPing: () => void;
  /** Called once, when a pong is overdue; the keepalive has stopped by then. */
  onDead: () => void;
}

export interface Keepalive {
  /** A `pong` arrived. */
  pong(): void;
  stop(): void;
}

export function startKeepalive(options: KeepaliveOptions): Keepalive {
  let deadline: NodeJS.Timeout | undefined;
  const stop = (): void => {
    clearInterval(interval);
    clearTimeout(deadline);
    deadline = undefined;
  };
  const interval = setInterval(() => {
    if (deadline !== undefined) return; // the last ping is still unanswered; its deadline decides
    options.sendPing();
    deadline = setTimeout(() => {
      stop();
      options.onDead();
    }, options.timeoutMs);
  }, options.intervalMs);
  return {
    pong() {
      clearTimeout(deadline);
      deadline = undefined;
    },
    stop,
  };
}
