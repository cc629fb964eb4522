/**
 * What every socket bridge shares (OZZOBiT's socket.io and Houdini's WebSocket in their provider
 * folders, a test's toy): `run()` until `stop()` or a failure no retry can fix, the channel report,
 * and the way an update reaches its order. A subclass owns its connection: it opens it in `start()`,
 * closes it in `closeConnection()`, drops its timers in `abandon()`, and hands each update to `deliver()`.
 */
import { orderKey } from '../../domain/ids';
import type { Observation, ProviderName } from '../../domain/types';
import { type ChannelReport, type CountPushReceipt, MAX_IN_FLIGHT_PUSHES, type PushBridge, type PushTarget } from './push-channel';
import { OrderQueue } from './order-queue';
import { type PushLogger, errorText, prefixedConsoleLogger } from './push-logger';

/** The parts of a PushContext a bridge uses; without `logger` it writes prefixed console lines. */
export interface SocketBridgeOptions {
  tracker: PushTarget;
  logger?: PushLogger;
  /** Counts the updates that never reach `tracker` (malformed, dropped); nothing without it. */
  count?: CountPushReceipt;
}

export abstract class SocketBridge implements PushBridge {
  protected readonly logger: PushLogger;
  protected readonly count: CountPushReceipt;
  protected stopped = false;
  protected report: ChannelReport = { state: 'connecting', reason: null };
  private readonly tracker: PushTarget;
  private readonly queue = new OrderQueue();
  private finished: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private settle: { resolve: () => void; reject: (error: Error) => void } | undefined;

  constructor(
    readonly provider: ProviderName,
    options: SocketBridgeOptions,
  ) {
    this.logger = options.logger ?? prefixedConsoleLogger(`${provider} bridge`);
    this.count = options.count ?? (() => undefined);
    this.tracker = options.tracker;
  }

  /** Opens the connection; called once, by the first `run()`. */
  protected abstract start(): void;
  /** Closes the connection and stops what keeps it (timers, loops) on `stop()`. */
  protected abstract closeConnection(): Promise<void>;
  /** Drops the connection and its timers at once, on a final failure. */
  protected abstract abandon(): void;

  run(): Promise<void> {
    this.finished ??= new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
      if (this.stopped) resolve();
      else this.start();
    });
    return this.finished;
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  channel(): ChannelReport {
    return { ...this.report };
  }

  /**
   * One observation to the tracker, after the order's earlier ones (different orders in parallel). A
   * failure is logged only: the order's next poll sees the status anyway.
   */
  protected deliver(orderId: string, observation: Observation): Promise<void> {
    if (this.queue.size >= MAX_IN_FLIGHT_PUSHES) {
      this.count('failed');
      this.logger.warn('too many pushes in flight; dropped one (the order will see the status at its next poll)', {
        orderKey: orderKey(this.provider, orderId),
        status: observation.status,
      });
      return Promise.resolve();
    }
    return this.queue.run(orderId, async () => {
      try {
        await this.tracker.push(this.provider, orderId, observation);
      } catch (error) {
        this.logger.warn('push not delivered; the order will see the status at its next poll', {
          orderKey: orderKey(this.provider, orderId),
          status: observation.status,
          error: errorText(error),
        });
      }
    });
  }

  /** Stops for good: `run()` rejects with `error`. */
  protected fail(error: Error): void {
    this.stopped = true;
    // For good: refused credentials are fixed by a person, not by another attempt.
    this.report = { state: 'down', reason: error.message };
    this.abandon();
    this.logger.error(error.message);
    this.settle?.reject(error);
  }

  private async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.report.state !== 'down') this.report = { state: 'down', reason: 'the bridge stopped' };
    await this.closeConnection();
    await this.queue.drained(); // updates already read from the socket still reach their orders
    this.settle?.resolve();
  }
}
