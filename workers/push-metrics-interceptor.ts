/**
 * Workflow interceptor (bundled with the workflows, so it runs in the workflow sandbox and imports
 * only the workflow API): counts the `statusPushed` signals orders receive, by provider. The
 * workflow metric meter skips replays, so each signal counts once. Registered by metricsInterceptors.
 */
import {
  metricMeter,
  workflowInfo,
  type Next,
  type SignalInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptorsFactory,
} from '@temporalio/workflow';
import { statusPushedSignal } from '../workflows/messages';

/** METRIC.pushes of metrics-interceptor.ts (not imported: that module is not for the sandbox). */
const PUSHES_METRIC = 'order_tracker_pushes';

/** `order:<provider>:<orderId>` → `<provider>`. */
function providerOf(workflowId: string): string {
  return /^order:([a-z]+):/.exec(workflowId)?.[1] ?? 'unknown';
}

class PushMetricsInterceptor implements WorkflowInboundCallsInterceptor {
  async handleSignal(input: SignalInput, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>): Promise<void> {
    if (input.signalName === statusPushedSignal.name) {
      metricMeter
        .createCounter(PUSHES_METRIC, '', 'statusPushed signals received, by provider')
        .add(1, { provider: providerOf(workflowInfo().workflowId) });
    }
    return next(input);
  }
}

export const interceptors: WorkflowInterceptorsFactory = () => ({ inbound: [new PushMetricsInterceptor()] });
