import { createActivities, type Activities, type FulfilmentHooks, type PollGroupDependencies } from '../activities';
import { type CallbackSender, createCallbackSender } from '../callbacks/callback-sender';
import type { Ledger } from '../storage/ledger/ledger';
import { scaledClock } from '../providers/provider-clock';
import type { ProviderRegistry } from '../providers/provider';
import { createProviders } from '../providers/registry';
import type { ProviderName } from '../domain/types';
import type { Config } from '../common/config';
import type { PushChannelReader } from '../activities/push-fallback';
import { ProviderGate } from '../activities/provider-gate';
import type { RequestSlots } from '../storage/request-slots/request-slots';
import { Runtime } from '@temporalio/worker';
import { type AuditTrail, createAuditTrail } from '../activities/audit/audit-trail';
import type { AnswerStore } from '../storage/ledger/provider-answers';
import { configuredSecrets } from '../common/secrets';

/**
 * The audit trail's writer of a process (the worker's activities, the ingress's pushes), over the
 * ledger's database: AUDIT_RETENTION, and every configured credential redacted.
 */
export function auditTrailFromConfig(config: Config, store: AnswerStore): AuditTrail {
  return createAuditTrail(store, {
    retentionMs: config.environment.AUDIT_RETENTION,
    secrets: configuredSecrets(config.environment),
    report: (message, fields) => Runtime.instance().logger.warn(message, fields),
  });
}

/** What a worker's activities use besides configuration: the stores, and parts handed in instead of configured ones. */
export interface ActivityParts {
  /** Adapters in place of those of the configured providers. */
  providers?: ProviderRegistry;
  /** In place of the one FULFILLMENT_WEBHOOK_URL gives. */
  callbackSender?: CallbackSender;
  hooks?: FulfilmentHooks;
  /** In place of PUSH_FALLBACK_POLL's (wall-clock already), for the providers named. */
  pushFallbackPollMs?: Partial<Record<ProviderName, number>>;
  pushChannels?: PushChannelReader;
  requestSlots?: RequestSlots;
  pollGroups?: PollGroupDependencies;
}

/**
 * The activities a worker process runs, built from configuration: provider adapters with their
 * credentials, the callback sender when FULFILLMENT_WEBHOOK_URL is set, any hooks from code, and
 * the push channels' states the ingress reports (so polls slow down only while pushes arrive), and
 * the request slots every worker shares (so the providers' budgets hold across workers).
 */
export function activitiesFromConfig(config: Config, ledger: Ledger, parts: ActivityParts = {}): Activities {
  const { FULFILLMENT_WEBHOOK_URL: url, FULFILLMENT_WEBHOOK_SECRET: secrets } = config.environment;
  // SANDBOX_TIME_SCALE lives here only: adapters hand out wall-clock waits, and so does the push fallback.
  const clock = scaledClock(config.timeScale);
  return createActivities({
    providers: parts.providers ?? createProviders(config.providers, clock),
    ledger,
    callbackSender:
      parts.callbackSender ??
      (url && secrets ? createCallbackSender({ url, secrets: secrets.split(',').map((secret) => secret.trim()).filter(Boolean) }) : undefined),
    hooks: parts.hooks,
    requestsPerSecond: config.requestsPerSecond,
    gate: new ProviderGate(Date.now, parts.requestSlots, (message, fields) => Runtime.instance().logger.warn(message, fields)),
    pushFallbackPollMs: {
      ...Object.fromEntries(Object.entries(config.pushFallbackPollMs).map(([provider, ms]) => [provider, clock.wallWait(ms)])),
      ...parts.pushFallbackPollMs,
    },
    pushChannels: parts.pushChannels,
    pollGroups: parts.pollGroups,
    audit: auditTrailFromConfig(config, ledger),
  });
}
