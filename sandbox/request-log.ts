import type { ShapeVariant } from './shape-variant';

/**
 * What the system under test asked a simulator, so tests can check request rates per order (the
 * one-request-per-5-s floor, Retry-After honoured) rather than trusting the tracker's own account.
 */
import type { FaultKind } from './faults';

export interface RequestLogEntry {
  /** Date.now() when the request arrived (not when it was answered, so a slow fault keeps the order). */
  at: number;
  orderId?: string;
  /** The provider operation, e.g. `get_order`, `purchases`, or `POST /unknown` for an unknown route. */
  operation: string;
  /** 0 when the connection was destroyed without an answer (the `reset` fault). */
  httpStatus: number;
  fault?: FaultKind;
  /** A list page's answer: the ids of the orders it showed (what the benchmark counts as looks at orders). */
  listed?: string[];
}

export class RequestLog {
  private readonly entries: RequestLogEntry[] = [];

  record(entry: RequestLogEntry): void {
    this.entries.push({ ...entry });
  }

  /** Entries in arrival order, for one order when `orderId` is given. Copies, safe to keep. */
  list(orderId?: string): RequestLogEntry[] {
    return this.entries
      .filter((entry) => orderId === undefined || entry.orderId === orderId)
      .map((entry) => ({ ...entry }))
      .sort((first, second) => first.at - second.at); // stable: equal times keep arrival order
  }
}

/** How every provider simulator is started; each adds its credentials. */
export interface SimulatorOptions {
  /** Defaults to a free port. */
  port?: number;
  /** Simulated time per real time: 60 plays a one-minute step in one second. Defaults to 1. */
  timeScale?: number;
  /** The shape of answers (and pushes) (shape-variant.ts); `seed` by default. */
  shape?: ShapeVariant;
}

/** What every provider simulator offers a test or the demo; each adds its push endpoints. */
export interface ProviderSimulator<Script, SimulatorFault> {
  /** The API base, what `<PROVIDER>_URL` takes (e.g. http://127.0.0.1:PORT). */
  url: string;
  /** Base of the control API, e.g. http://127.0.0.1:PORT/_sandbox/ */
  controlUrl: string;
  /** Adds an order (or restarts one with the same id); its script starts now. Throws on a bad script. */
  addOrder(script: Script): void;
  /** Adds a fault for one order's requests (or pushes), or for all of them. */
  setFault(fault: SimulatorFault, orderId?: string): void;
  /** Clears one order's faults, or all faults. */
  clearFaults(orderId?: string): void;
  /** Logged API requests (control API calls are not logged), for one order or all. */
  requests(orderId?: string): RequestLogEntry[];
  close(): Promise<void>;
}
