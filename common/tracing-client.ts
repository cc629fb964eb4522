/**
 * Temporal's client interceptor for OpenTelemetry, as order-tracker uses it: starts and signals put
 * the active span's context in their headers (the order's trace goes on in the workflow), while
 * reads outside an order's span (`status --follow` asks `progress` every second, describe, list)
 * make no span of their own: they would only fill the trace backend with one-span traces.
 */
import * as otel from '@opentelemetry/api';
import type {
  DescribeWorkflowExecutionResponse,
  Next,
  WorkflowClientInterceptor,
  WorkflowDescribeInput,
  WorkflowQueryInput,
} from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';

export class OrderClientInterceptor extends OpenTelemetryWorkflowClientInterceptor {
  override async query(input: WorkflowQueryInput, next: Next<WorkflowClientInterceptor, 'query'>): Promise<unknown> {
    return otel.trace.getActiveSpan() === undefined ? next(input) : super.query(input, next);
  }

  override async describe(input: WorkflowDescribeInput, next: Next<WorkflowClientInterceptor, 'describe'>): Promise<DescribeWorkflowExecutionResponse> {
    return otel.trace.getActiveSpan() === undefined ? next(input) : super.describe(input, next);
  }
}
