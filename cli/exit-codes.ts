import type { Outcome } from '../domain/types';

/** Contract exit codes. */
export const ExitCode = {
  ok: 0,
  runtimeError: 1,
  badInput: 2,
  notFound: 3,
  failed: 10,
  timedOut: 11,
  trackingCancelled: 12,
} as const;

export function exitCodeForOutcome(outcome: Outcome): number {
  switch (outcome) {
    case 'succeeded':
      return ExitCode.ok;
    case 'failed':
      return ExitCode.failed;
    case 'timed_out':
      return ExitCode.timedOut;
    case 'tracking_cancelled':
      return ExitCode.trackingCancelled;
  }
}
