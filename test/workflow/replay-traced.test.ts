/**
 * The committed trackOrder histories replayed with tracing installed: the workflows bundled with
 * Temporal's OpenTelemetry workflow interceptors (what a worker with OTEL_EXPORTER_OTLP_ENDPOINT
 * runs, and the `traced` prebuilt bundles) and the span sink injected. The interceptors make spans,
 * never commands: every history recorded without them still replays.
 */
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { TRACING_WORKFLOW_MODULE } from '../../workers/tracing-interceptors';

const HISTORIES = join(__dirname, '..', 'histories');

function historyFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? historyFiles(join(directory, entry.name)) : entry.name.endsWith('.json') ? [join(directory, entry.name)] : [],
  );
}

const files = historyFiles(HISTORIES);
const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: (message: string) => console.error(message) };
const tracedBundle = bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), workflowInterceptorModules: [TRACING_WORKFLOW_MODULE], logger: quiet });
const spans = new InMemorySpanExporter();
const sinks = { exporter: makeWorkflowExporter(new SimpleSpanProcessor(spans), new Resource({ 'service.name': 'replay' })) };

test('the traced bundle has the OpenTelemetry workflow interceptors in it', async () => {
  expect((await tracedBundle).code).toContain('OpenTelemetryInboundInterceptor');
});

test.each(files.map((file) => [relative(HISTORIES, file), file]))('%s replays with the tracing interceptors', async (name, file) => {
  const history = historyFromJSON(JSON.parse(readFileSync(file, 'utf8')));
  await expect(Worker.runReplayHistory({ workflowBundle: await tracedBundle, sinks }, history, `replay-traced-${name}`)).resolves.toBeUndefined();
});
