/**
 * One trace per order (OpenTelemetry). Every place where something happens to an order from the
 * outside (`track`, a push at the ingress, a `cancel`, a poll group's report) opens a root span in
 * the order's own trace: its trace id is derived from the order key, so every process finds the same
 * trace without asking anyone, and a later push lands beside the `track` that started the order.
 * Temporal's interceptors (@temporalio/interceptors-opentelemetry) carry that span's context in the
 * headers of the start or signal into the workflow, through every run (continue-as-new included), to
 * each activity (polls, recordOutcome, deliverCallback, hooks); deliverCallback passes it on as a W3C
 * `traceparent` (callbacks/callback-sender.ts).
 *
 * Installed only when OTEL_EXPORTER_OTLP_ENDPOINT (or the traces endpoint) is set: without it, this
 * module loads no SDK and each wrapper just calls its function.
 */
import * as otel from '@opentelemetry/api';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import type { TracingSettings } from './observability-variables';

/** Span attributes every order span and activity span carries (the trace backends' search keys). */
export const ORDER_ATTRIBUTE = {
  provider: 'order.provider',
  orderId: 'order.id',
  key: 'order.key',
  status: 'order.status',
  outcome: 'order.outcome',
} as const;

const TRACER_NAME = 'order-tracker';

/** The trace every span of the order belongs to: 32 hex digits of SHA-256 over `order:<provider>:<orderId>`. */
export function orderTraceId(provider: string, orderId: string): string {
  return createHash('sha256').update(`order:${provider}:${orderId}`).digest('hex').slice(0, 32);
}

/** While set, a new root span takes this trace id (see OrderTraceIds). */
const orderTrace = new AsyncLocalStorage<string>();

/** The SDK's id generator, except that a root span opened by withOrderSpan gets its order's trace id. */
export class OrderTraceIds {
  constructor(private readonly random: { generateTraceId(): string; generateSpanId(): string }) {}

  generateTraceId(): string {
    return orderTrace.getStore() ?? this.random.generateTraceId();
  }

  generateSpanId(): string {
    return this.random.generateSpanId();
  }
}

export interface InstalledTracing {
  /** Flushes the spans still buffered and stops exporting. */
  shutdown(): Promise<void>;
  /** For the workers: the processor workflow spans go through (the workflow sandbox exports by a sink) and the resource. */
  spanProcessor: unknown;
  resource: unknown;
}

let installed: InstalledTracing | undefined;

export function tracingInstalled(): boolean {
  return installed !== undefined;
}

export function installedTracing(): InstalledTracing | undefined {
  return installed;
}

/**
 * Installs the tracer provider once per process (the SDK is loaded only here), exporting over
 * OTLP/HTTP; does nothing without settings. `serviceName` names the process unless OTEL_SERVICE_NAME does.
 */
export function installTracing(settings: TracingSettings | undefined, serviceName: string): InstalledTracing | undefined {
  if (settings === undefined || installed !== undefined) return installed;
  // Loaded on demand: a process without an endpoint never loads the SDK.
  const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { BatchSpanProcessor, RandomIdGenerator } = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { Resource } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const resource = new Resource({ 'service.name': settings.serviceName ?? serviceName });
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter({ url: settings.tracesUrl, headers: settings.headers }));
  const provider = new NodeTracerProvider({ resource, idGenerator: new OrderTraceIds(new RandomIdGenerator()), spanProcessors: [spanProcessor] });
  // The global provider, the AsyncLocalStorage context manager and the W3C trace-context propagator.
  provider.register();
  installed = {
    spanProcessor,
    resource,
    async shutdown() {
      installed = undefined;
      await provider.shutdown();
      otel.trace.disable();
      otel.context.disable();
      otel.propagation.disable();
    },
  };
  return installed;
}

export interface OrderRef {
  provider: string;
  orderId: string;
}

/**
 * Runs `body` in a new root span of the order's trace (a span link keeps the caller's own span, e.g.
 * a poll group's activity). Temporal calls made inside carry it into the workflow. Without tracing,
 * `body` runs as it is.
 */
export async function withOrderSpan<T>(name: string, order: OrderRef, attributes: otel.Attributes, body: (span?: otel.Span) => Promise<T>): Promise<T> {
  if (installed === undefined) return body();
  const caller = otel.trace.getActiveSpan()?.spanContext();
  const options: otel.SpanOptions = {
    root: true,
    kind: otel.SpanKind.SERVER,
    attributes: { ...orderAttributes(order), ...attributes },
    links: caller !== undefined && otel.isSpanContextValid(caller) ? [{ context: caller }] : [],
  };
  return orderTrace.run(orderTraceId(order.provider, order.orderId), () =>
    otel.trace.getTracer(TRACER_NAME).startActiveSpan(name, options, async (span) => {
      try {
        return await body(span);
      } catch (error) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: otel.SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
        throw error;
      } finally {
        span.end();
      }
    }),
  );
}

export function orderAttributes({ provider, orderId }: OrderRef): otel.Attributes {
  return { [ORDER_ATTRIBUTE.provider]: provider, [ORDER_ATTRIBUTE.orderId]: orderId, [ORDER_ATTRIBUTE.key]: `${provider}:${orderId}` };
}

/**
 * Runs `body` in the context a caller sent (W3C `traceparent` of an HTTP API request), so the order
 * span opened inside links to the caller's trace. Without tracing or such a header: `body` as it is.
 */
export async function withIncomingContext<T>(headers: Record<string, unknown>, body: () => Promise<T>): Promise<T> {
  if (installed === undefined || typeof headers.traceparent !== 'string') return body();
  return otel.context.with(otel.propagation.extract(otel.ROOT_CONTEXT, headers), body);
}

/**
 * An outgoing HTTP request as a client span, child of the active one: `body` gets the W3C headers
 * (`traceparent`) to send and reports the answer's status code. Without tracing: no headers.
 */
export async function withRequestSpan<T>(name: string, attributes: otel.Attributes, body: (headers: Record<string, string>, span?: otel.Span) => Promise<T>): Promise<T> {
  if (installed === undefined) return body({});
  return otel.trace.getTracer(TRACER_NAME).startActiveSpan(name, { kind: otel.SpanKind.CLIENT, attributes }, async (span) => {
    const headers: Record<string, string> = {};
    otel.propagation.inject(otel.context.active(), headers);
    try {
      return await body(headers, span);
    } finally {
      span.end();
    }
  });
}

/** Sets attributes on the span that is active here (an activity's), when tracing is installed. */
export function annotateActiveSpan(attributes: otel.Attributes): void {
  if (installed !== undefined) otel.trace.getActiveSpan()?.setAttributes(attributes);
}

/**
 * The client interceptors of every Temporal client this process makes (connectClient, the workers'
 * own): start, signal and signal-with-start carry the active span's context in their headers. Empty
 * without tracing.
 */
export function tracingClientInterceptors(): WorkflowClientInterceptor[] {
  if (installed === undefined) return [];
  const { OrderClientInterceptor } = require('./tracing-client') as typeof import('./tracing-client');
  return [new OrderClientInterceptor()];
}
