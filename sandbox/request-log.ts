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
