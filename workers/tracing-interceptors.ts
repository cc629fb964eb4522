/**
 * What the workers add when the process traces (common/tracing.ts): Temporal's OpenTelemetry
 * interceptors for workflows (a span per run, per activity scheduled, per signal handled, per
 * continue-as-new; exported from the sandbox through a sink) and activities (a span per attempt,
 * child of the workflow's), plus the order's attributes on each activity span: provider, order id,
 * the status a poll found, the outcome recordOutcome recorded.
 */
import type { Attributes } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, ActivityInterceptorsFactory, InjectedSinks, Next } from '@temporalio/worker';
import { ORDER_ATTRIBUTE, annotateActiveSpan, installedTracing, orderAttributes } from '../common/tracing';

/** The workflow interceptors' module, bundled with the workflows (prebuilt bundles: workflow-bundle.ts). */
export const TRACING_WORKFLOW_MODULE = require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

export interface WorkerTracing {
  /** Outermost first: the span is active when the other interceptors and the activity run. */
  activity: ActivityInterceptorsFactory[];
  sinks: InjectedSinks<Record<string, never>>;
}

/** Undefined when this process does not trace. */
export function workerTracing(): WorkerTracing | undefined {
  const installed = installedTracing();
  if (installed === undefined) return undefined;
  const { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor, makeWorkflowExporter } =
    require('@temporalio/interceptors-opentelemetry') as typeof import('@temporalio/interceptors-opentelemetry');
  return {
    activity: [
      (context) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(context), outbound: new OpenTelemetryActivityOutboundInterceptor(context) }),
      (context) => ({ inbound: new OrderSpanAttributes(context) }),
    ],
    sinks: { exporter: makeWorkflowExporter(installed.spanProcessor as SpanProcessor, installed.resource as Resource) } as unknown as InjectedSinks<Record<string, never>>,
  };
}

interface OrderArgument {
  provider?: unknown;
  orderId?: unknown;
  outcome?: unknown;
}

/** The order an activity works on, and what it found or recorded, on the activity's span. */
export class OrderSpanAttributes implements ActivityInboundCallsInterceptor {
  constructor(private readonly context: Context) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const argument = (input.args[0] ?? {}) as OrderArgument;
    if (typeof argument.provider === 'string' && typeof argument.orderId === 'string') {
      annotateActiveSpan({
        ...orderAttributes({ provider: argument.provider, orderId: argument.orderId }),
        ...(typeof argument.outcome === 'string' && { [ORDER_ATTRIBUTE.outcome]: argument.outcome }),
      });
    }
    const result = await next(input);
    annotateActiveSpan(resultAttributes(this.context.info.activityType, result));
    return result;
  }
}

function resultAttributes(activityType: string, result: unknown): Attributes {
  const value = (result ?? {}) as { outcome?: unknown; status?: unknown; observation?: { status?: unknown } };
  if (activityType === 'recordOutcome' && typeof value.outcome === 'string') return { [ORDER_ATTRIBUTE.outcome]: value.outcome };
  const status = value.observation?.status ?? value.status;
  return typeof status === 'string' ? { [ORDER_ATTRIBUTE.status]: status } : {};
}
