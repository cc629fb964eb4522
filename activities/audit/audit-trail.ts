/**
 * The audit trail's writer: what the poll activity, the ingress (pushes) and the poll groups (their
 * polls and list sweeps) hand every provider answer to. It keeps an answer only when it changed the
 * order's status or details, redacted (redact-answer.ts), with its time and source; each order keeps
 * its newest MAX_ANSWERS_PER_ORDER, and answers older than AUDIT_RETENTION are deleted.
 *
 * Cost: most answers change nothing (an unchanged poll). Deciding so must not cost a database read
 * each time, so the writer remembers the digest of each order's last kept answer: an answer with that
 * digest is dropped in memory. Only an order it has not seen (a restart, another worker kept the
 * last one) costs one read of the last digest; a change costs one write transaction, which checks
 * the last digest again, so a stale memory never keeps a change twice.
 */
import { createHash } from 'node:crypto';
import { orderKey } from '../../domain/ids';
import type { Observation, ProviderName } from '../../domain/types';
import type { AnswerSource, AnswerStore } from '../../storage/ledger/provider-answers';
import { redactAnswer } from './redact-answer';

export type { AnswerSource } from '../../storage/ledger/provider-answers';

export interface AnswerToKeep {
  provider: ProviderName;
  orderId: string;
  source: AnswerSource;
  /** What the provider module read from the answer: its status and details decide whether it changed anything. */
  observation: Observation;
  /** The answer as it arrived (parsed JSON); redacted before it is stored. */
  answer: unknown;
  /** When it arrived (epoch ms); now by default. */
  receivedAt?: number;
}

/** The writer's interface, as activities, the ingress and the poll groups receive it. */
export interface AuditTrail {
  /** Resolves whether the answer was kept; never rejects (a failure is reported and the answer dropped). */
  keep(answer: AnswerToKeep): Promise<boolean>;
}

/** An order changes status a handful of times; confirmations a few dozen. */
export const MAX_ANSWERS_PER_ORDER = 100;
/** Orders whose last digest is remembered (about 100 bytes each). */
const REMEMBERED_ORDERS = 50_000;
/** Old answers are deleted at most this often per writer. */
const PRUNE_EVERY_MS = 10 * 60_000;
/** An answer bigger than this (a page of a list, not an order) is kept as an excerpt. */
const MAX_ANSWER_CHARACTERS = 256 * 1024;

export interface AuditTrailOptions {
  /** AUDIT_RETENTION. */
  retentionMs: number;
  /** Configured credentials (common/secrets.ts): redacted wherever they appear. */
  secrets: readonly string[];
  maxPerOrder?: number;
  now?: () => number;
  /** Where a failed write is reported; it never throws. */
  report?: (message: string, fields: Record<string, unknown>) => void;
}

/** The part of an observation an answer's change is judged by (not the suggested wait: it moves with the clock). */
export function answerDigest(observation: Observation): string {
  const details = Object.fromEntries(Object.entries(observation.details).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(JSON.stringify({ status: observation.status, details })).digest('hex').slice(0, 32);
}

export function createAuditTrail(store: AnswerStore, options: AuditTrailOptions): AuditTrail {
  const now = options.now ?? Date.now;
  const maxPerOrder = options.maxPerOrder ?? MAX_ANSWERS_PER_ORDER;
  /** Order key → digest of its last kept answer; insertion order is recency (oldest dropped first). */
  const lastKept = new Map<string, string>();
  let lastPrunedAt = Number.NEGATIVE_INFINITY;

  function remember(key: string, digest: string): void {
    lastKept.delete(key);
    lastKept.set(key, digest);
    if (lastKept.size > REMEMBERED_ORDERS) lastKept.delete(lastKept.keys().next().value as string);
  }

  async function pruneNowAndThen(): Promise<void> {
    if (now() - lastPrunedAt < PRUNE_EVERY_MS) return;
    lastPrunedAt = now();
    await store.pruneAnswers(new Date(now() - options.retentionMs).toISOString());
  }

  return {
    async keep(entry) {
      const key = orderKey(entry.provider, entry.orderId);
      const digest = answerDigest(entry.observation);
      try {
        const remembered = lastKept.get(key) ?? (await store.lastAnswerDigest(entry.provider, entry.orderId));
        if (remembered === digest) {
          remember(key, digest);
          return false;
        }
        const kept = await store.keepAnswer(
          {
            provider: entry.provider,
            orderId: entry.orderId,
            source: entry.source,
            status: entry.observation.status,
            digest,
            answer: bounded(redactAnswer(entry.answer, options.secrets)),
            receivedAt: new Date(entry.receivedAt ?? now()).toISOString(),
          },
          maxPerOrder,
        );
        remember(key, digest);
        await pruneNowAndThen();
        return kept;
      } catch (error) {
        // The order goes on: an answer the trail could not keep is reported, and the next change is kept.
        options.report?.('audit trail could not keep an answer', { orderKey: key, source: entry.source, error: error instanceof Error ? error.message : String(error) });
        return false;
      }
    },
  };
}

function bounded(answer: unknown): unknown {
  const text = JSON.stringify(answer) ?? 'null';
  if (text.length <= MAX_ANSWER_CHARACTERS) return answer;
  return { truncated: true, characters: text.length, excerpt: text.slice(0, MAX_ANSWER_CHARACTERS) };
}
