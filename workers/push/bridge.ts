/**
 * A push bridge keeps a connection to one provider's push channel and turns each update into
 * `OrderTracker.push` (signal-with-start). Bridges never change provider state; a push is only a
 * hint that the workflow confirms by polling.
 */
export interface PushBridge {
  readonly provider: string;
  /** Resolves when the bridge stops: on `stop()`, or with an error it cannot recover from (refused credentials). */
  run(): Promise<void>;
  stop(): Promise<void>;
}
