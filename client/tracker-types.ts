/** What the library's OrderTracker takes and answers (client/order-tracker.ts). */
import type { Client } from '@temporalio/client';
import type { Ledger, LedgerRow } from '../storage/ledger/ledger';
import type { TrackingSettings } from '../workflows/settings';
import type { Outcome, TrackOrderResult } from '../domain/types';
import type { JoinedOrder } from './start-memo';

export class OrderNotFoundError extends Error {
  override readonly name = 'OrderNotFoundError';
}

export interface TrackOptions {
  maxWaitMs?: number;
  reference?: string | null;
}

export type TrackResponse =
  | { kind: 'tracking'; workflowId: string; runId: string; joined?: JoinedOrder }
  /**
   * The order ended finally (`succeeded`, `failed`): nothing was started, no provider asked. From the
   * ledger when the tracker has one (`row`), else from the order's last run (`result`).
   */
  | {
      kind: 'recorded';
      workflowId: string;
      outcome: Outcome;
      status: string | null;
      reference: string | null;
      recordedAt: string;
      result?: TrackOrderResult;
      row?: LedgerRow;
    };

/** What `push` answers (domain/types.ts: the ingress's push channels answer it too). */
export type { PushResponse } from '../domain/types';

export interface OrderTrackerOptions {
  client: Client;
  taskQueue: string;
  /**
   * Where `track` and `push` look for an order's outcome first (the ingress and `dev` pass theirs).
   * Without it they read the order's last run: a final order is known either way.
   */
  ledger?: Ledger;
  /** Passed to every workflow started (tests shorten nothing here but the floor of a scaled sandbox). */
  settings?: Partial<TrackingSettings>;
}

/** A month: longer than any provider's window; beyond it a value is more likely a unit mistake. */
export const MAX_WAIT_LIMIT_MS = 30 * 24 * 3_600_000;
