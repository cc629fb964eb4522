/**
 * `order-tracker worker` with a fulfilment hook, as code that embeds the worker runs it (an
 * `onSucceeded` that does nothing): for tests that need the hook's step in the order's history or
 * trace, which a worker without hooks leaves out. Run with `node -r tsx/cjs`; configured like the
 * command, from the environment, with its JSON logs on stdout.
 */
import { loadConfig } from '../../common/config';
import { runWorkerProcess } from '../../workers/run-worker';
import { installTelemetry } from '../../workers/telemetry';

const config = loadConfig();
installTelemetry(config, (line) => process.stdout.write(line));
void runWorkerProcess(config, { onSucceeded: () => undefined });
