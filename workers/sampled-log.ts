/**
 * A warning that may come thousands of times a second (a flood of unsigned webhooks, a client over
 * its limits) is counted, not written each time: the first occurrence is logged at once, later ones
 * are added up and logged as one line per interval with how many there were (`count`) and from how
 * many clients. 10,000 refused webhooks made 10,000 log lines before (issue 29, R12).
 */
import type { PushLogger } from '../providers/push/push-logger';

export const SAMPLED_LOG_INTERVAL_MS = 10_000;
/** Clients named per line at most; the count covers them all. */
const MAX_CLIENTS_NAMED = 5;

export class SampledLog {
  private count = 0;
  private readonly clients = new Set<string>();
  private lastLineAt = Number.NEGATIVE_INFINITY;
  private lastFields: Record<string, unknown> = {};
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly logger: PushLogger,
    private readonly message: string,
    private readonly intervalMs = SAMPLED_LOG_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {
    // What was counted since the last line is written even when nothing more comes.
    this.timer = setInterval(() => this.flush(), intervalMs);
    this.timer.unref();
  }

  /** One occurrence: logged now if no line went out within the interval, else counted for the next. */
  note(client: string, fields: Record<string, unknown> = {}): void {
    this.count += 1;
    if (this.clients.size < 1_000) this.clients.add(client);
    this.lastFields = fields;
    if (this.now() - this.lastLineAt >= this.intervalMs) this.flush();
  }

  flush(): void {
    if (this.count === 0) return;
    const clients = [...this.clients];
    this.logger.warn(this.message, {
      count: this.count,
      clients: clients.length,
      examples: clients.slice(0, MAX_CLIENTS_NAMED),
      sampledEveryMs: this.intervalMs,
      ...this.lastFields,
    });
    this.count = 0;
    this.clients.clear();
    this.lastLineAt = this.now();
  }

  stop(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
