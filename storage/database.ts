/**
 * What storage/ hands out: the database every process of a deployment shares (a SQLite file or
 * PostgreSQL, DATABASE_URL) with every store on it, opened and migrated (open-database.ts).
 */
import type { StoredLedger } from './ledger/ledger';
import type { MemberStore } from './poll-group-members/member-store';
import type { PushChannelStore } from './push-channels/push-channel-store';
import type { RequestSlots } from './request-slots/request-slots';

export interface Database {
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * The outcomes, one row per order, and the audit trail's answers (ledger/). Its close() closes
   * this whole database: code handed only the ledger (openLedger's callers) owns it through it.
   */
  readonly ledger: StoredLedger;
  /** Each provider's next request slot, shared by every worker (request-slots/). */
  readonly requestSlots: RequestSlots;
  /** The push channels' states the ingress writes and the workers read (push-channels/). */
  readonly pushChannels: PushChannelStore;
  /** The poll groups' members and every grouped order's floor (poll-group-members/). */
  readonly members: MemberStore;
  /** Closes every store's connections; a second call does nothing more. */
  close(): Promise<void>;
}
