/**
 * While a callback receiver refuses the signature (401/403), `deliverCallback` is retried for hours
 * (activities/callback-delivery.ts) and the order's own state only says `callback: pending`. The
 * server's pending activity holds the last failure, which names the refusal and the worker's clock
 * skew: `progress` shows it as attention, so the operator sees what to fix (issue 29, R7).
 */
import type { WorkflowExecutionDescription } from '@temporalio/client';
import { ApplicationFailure, type LoadedDataConverter } from '@temporalio/common';
import { decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow';
import type { Progress } from '../domain/types';
import { ErrorType } from '../workflows/error-types';

/** The attention a refused callback calls for, or null when its delivery is not being refused. */
export async function callbackAttentionOf(description: WorkflowExecutionDescription, converter: LoadedDataConverter): Promise<string | null> {
  const pending = description.raw.pendingActivities?.find((activity) => activity.activityType?.name === 'deliverCallback');
  if (pending?.lastFailure == null) return null;
  const failure = await decodeOptionalFailureToOptionalError(converter, pending.lastFailure).catch(() => undefined);
  if (!(failure instanceof ApplicationFailure) || failure.type !== ErrorType.callbackUnauthorized) return null;
  return `callback refused (attempt ${pending.attempt ?? 1}): ${failure.message}`;
}

export function withCallbackAttention(progress: Progress, attention: string | null): Progress {
  if (attention === null) return progress;
  return { ...progress, attention: progress.attention === null ? attention : `${progress.attention}; ${attention}` };
}
