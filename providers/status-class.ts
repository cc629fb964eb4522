import type { DetailValue, Observation, Phase } from '../domain/types';
import { boundDetails } from './bound-details';
import { unrecognisedStatusAttention, withAttention } from './status-attention';

/** What every provider's status table says of a status; each table adds its own cadence fields. */
export interface StatusClass {
  phase: Phase;
  /** Whether the provider's document lists the status; an unlisted one stays in flight. */
  recognised: boolean;
  /** Lifecycle order: a push with a lower rank never replaces a higher one. */
  rank: number;
  /** What a person should know about this status, if anything (the observation's `attention`). */
  attention?: string;
}

/** Terminal statuses outrank every in-flight one, so a late in-flight push never undoes them. */
export const TERMINAL_RANK = 100;

/** A status's entry in a table keyed by the provider's status words, or `unknown` for any other. */
export function classifyByTable<Status extends string, Info>(table: Readonly<Record<Status, Info>>, status: string, unknown: Info): Info {
  return Object.hasOwn(table, status) ? table[status as Status] : unknown;
}

/**
 * The one way a provider's answer becomes an observation: the status, what its table says of it,
 * the wait before asking again and the bounded details. An unlisted status carries an `attention`
 * so a person hears of it (unless the table says something more precise).
 */
export function toObservation(status: string, info: StatusClass, nextWaitMs: number, details: Record<string, DetailValue | undefined>): Observation {
  return withAttention(
    { status, phase: info.phase, recognised: info.recognised, rank: info.rank, nextWaitMs, details: boundDetails(details) },
    info.attention ?? (info.recognised ? null : unrecognisedStatusAttention(status)),
  );
}
