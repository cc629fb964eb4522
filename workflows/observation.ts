import type { DetailValue, Details, GroupReport, Observation, Phase } from '../domain/types';

const PHASES: readonly Phase[] = ['in_flight', 'succeeded', 'failed', 'unknown'];
const MAX_ATTENTION_LENGTH = 256;
const MAX_STATUS_LENGTH = 128;
const MAX_DETAIL_KEYS = 24;
const MAX_DETAIL_KEY_LENGTH = 64;
const MAX_DETAIL_TEXT_LENGTH = 512;
/** A week: no provider suggests waiting longer, and a bigger number is more likely a unit mistake. */
const MAX_NEXT_WAIT_MS = 7 * 24 * 60 * 60_000;

/** `receivedAt`: when the push reached the ingress or a bridge (epoch ms), if it says. */
export type ParseResult = { ok: true; observation: Observation; receivedAt: number | null } | { ok: false; error: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseDetails(value: unknown): Details | string {
  if (value === undefined) return {};
  if (!isRecord(value)) return 'details must be an object';
  const entries = Object.entries(value);
  if (entries.length > MAX_DETAIL_KEYS) return `details has more than ${MAX_DETAIL_KEYS} keys`;
  const details: Details = {};
  for (const [key, item] of entries) {
    if (key.length > MAX_DETAIL_KEY_LENGTH) return `details key longer than ${MAX_DETAIL_KEY_LENGTH} characters`;
    const allowed =
      item === null ||
      typeof item === 'boolean' ||
      (typeof item === 'number' && Number.isFinite(item)) ||
      (typeof item === 'string' && item.length <= MAX_DETAIL_TEXT_LENGTH);
    if (!allowed) return `details.${key} must be a short string, a finite number, a boolean or null`;
    details[key] = item as DetailValue;
  }
  return details;
}

/**
 * Checks a pushed observation (a signal payload) by hand: signal handlers must never throw, and a
 * bad payload must be named in the log and ignored. Polls are checked by the provider modules.
 */
export function parseObservation(value: unknown): ParseResult {
  if (!isRecord(value)) return { ok: false, error: 'observation must be an object' };
  const { status, phase, recognised, rank, nextWaitMs } = value;
  if (typeof status !== 'string' || status.length === 0 || status.length > MAX_STATUS_LENGTH) {
    return { ok: false, error: `status must be a string of 1-${MAX_STATUS_LENGTH} characters` };
  }
  if (typeof phase !== 'string' || !PHASES.includes(phase as Phase)) {
    return { ok: false, error: `phase must be one of ${PHASES.join(', ')}` };
  }
  if (recognised !== undefined && typeof recognised !== 'boolean') {
    return { ok: false, error: 'recognised must be a boolean' };
  }
  if (typeof rank !== 'number' || !Number.isFinite(rank)) return { ok: false, error: 'rank must be a finite number' };
  if (typeof nextWaitMs !== 'number' || !(nextWaitMs >= 0 && nextWaitMs <= MAX_NEXT_WAIT_MS)) {
    return { ok: false, error: `nextWaitMs must be a number from 0 to ${MAX_NEXT_WAIT_MS}` };
  }
  const { receivedAt } = value;
  if (receivedAt !== undefined && !(typeof receivedAt === 'number' && Number.isFinite(receivedAt) && receivedAt > 0)) {
    return { ok: false, error: 'receivedAt must be a positive number of epoch milliseconds' };
  }
  const { attention } = value;
  if (attention !== undefined && attention !== null && !(typeof attention === 'string' && attention.length <= MAX_ATTENTION_LENGTH)) {
    return { ok: false, error: `attention must be null or a string of at most ${MAX_ATTENTION_LENGTH} characters` };
  }
  const details = parseDetails(value.details);
  if (typeof details === 'string') return { ok: false, error: details };
  return {
    ok: true,
    observation: {
      status,
      phase: phase as Phase,
      recognised: recognised ?? true,
      rank,
      nextWaitMs,
      details,
      // Only when the push has one: an observation without attention stays as it was.
      ...(typeof attention === 'string' && { attention }),
    },
    receivedAt: receivedAt ?? null,
  };
}

/** Every phase but `in_flight` ends the order, `unknown` included (with no verdict). */
export function isTerminal(observation: Pick<Observation, 'phase'>): boolean {
  return observation.phase !== 'in_flight';
}

/** The provider's verdict: succeeded or failed (not in flight, not gone without one). */
export function isVerdict(observation: Pick<Observation, 'phase'>): boolean {
  return observation.phase === 'succeeded' || observation.phase === 'failed';
}

const MAX_REPORT_REQUESTS = 1_000_000;

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

/** Checks a poll group's report (a `statusObserved` payload) like a push: refused by name, never thrown. */
export function parseGroupReport(value: unknown): { ok: true; report: GroupReport } | { ok: false; error: string } {
  if (!isRecord(value)) return { ok: false, error: 'report must be an object' };
  const { requests, observedAt, previousLookAt, source, attention } = value;
  if (typeof requests !== 'number' || !Number.isInteger(requests) || requests < 0 || requests > MAX_REPORT_REQUESTS) {
    return { ok: false, error: `requests must be a whole number from 0 to ${MAX_REPORT_REQUESTS}` };
  }
  if (!isTime(observedAt)) return { ok: false, error: 'observedAt must be a positive number of epoch milliseconds' };
  if (previousLookAt !== null && previousLookAt !== undefined && !isTime(previousLookAt)) {
    return { ok: false, error: 'previousLookAt must be null or a positive number of epoch milliseconds' };
  }
  if (source !== 'group' && source !== 'sweep') return { ok: false, error: 'source must be group or sweep' };
  if (attention !== null && !(typeof attention === 'string' && attention.length <= MAX_ATTENTION_LENGTH)) {
    return { ok: false, error: `attention must be null or a string of at most ${MAX_ATTENTION_LENGTH} characters` };
  }
  let observation: Observation | null = null;
  if (value.observation !== null) {
    const parsed = parseObservation(value.observation);
    if (!parsed.ok) return { ok: false, error: `observation: ${parsed.error}` };
    observation = parsed.observation;
  }
  if (observation === null && attention === null) return { ok: false, error: 'a report needs an observation or an attention' };
  return { ok: true, report: { observation, attention, requests, observedAt, previousLookAt: previousLookAt ?? null, source } };
}
