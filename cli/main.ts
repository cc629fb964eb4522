/**
 * The `order-tracker` command: the composition root. It parses the command line and runs the
 * command; the long-running ones (`dev`, `worker`, `ingress`, `sandbox`) are loaded on demand from
 * workers/ and sandbox/, the order commands (order-commands.ts) use the library in client/.
 */
import { TemporalUnreachableError } from '../client/connect';
import { OrderNotFoundError } from '../client/order-tracker';
import { readArguments } from '../common/arguments';
import { ConfigError } from '../common/config';
import { InvalidInputError } from '../common/order-input';
import { ExitCode } from './exit-codes';
import { runOrderCommand } from './order-commands';
import { COMMANDS, OPTIONS, type Output, USAGE, processOutput } from './usage';
import { loadDevelopmentSide, loadWorkerSide } from './worker-side';

export { ExitCode, exitCodeForOutcome } from './exit-codes';
export { COMMANDS } from './usage';

/** Runs one CLI invocation and returns its exit code; errors are printed, never thrown. */
export async function runCli(argv: string[], output: Output = processOutput): Promise<number> {
  try {
    const { values, positionals } = readArguments(argv, OPTIONS, '');
    const [command, ...rest] = positionals;
    if (values.help || command === undefined) {
      output.write(USAGE);
      return command === undefined && !values.help ? ExitCode.badInput : ExitCode.ok;
    }
    if (!(COMMANDS as readonly string[]).includes(command)) throw new InvalidInputError(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
    switch (command) {
      // Loaded on demand (require, so tsx resolves the .ts files): status and track stay quick to
      // start, and run with the light install (worker-side.ts).
      case 'dev':
        return await loadDevelopmentSide('dev', () => require('../workers/dev') as typeof import('../workers/dev')).runDev();
      case 'worker':
        return await loadWorkerSide('worker', () => require('../workers/run-worker') as typeof import('../workers/run-worker')).runWorker();
      case 'bundle-workflows': {
        const [dir, ...extra] = rest;
        if (dir === undefined || extra.length > 0) throw new InvalidInputError('bundle-workflows takes one folder: order-tracker bundle-workflows <dir>');
        const { writeWorkflowBundles } = loadWorkerSide('bundle-workflows', () => require('../workers/workflow-bundle') as typeof import('../workers/workflow-bundle'));
        for (const path of await writeWorkflowBundles(dir)) output.write(`wrote ${path}`);
        return ExitCode.ok;
      }
      case 'sandbox':
        return await loadDevelopmentSide('sandbox', () => require('../sandbox/run-sandbox') as typeof import('../sandbox/run-sandbox')).runSandbox(output);
      case 'ingress':
        return await loadWorkerSide('ingress', () => require('../workers/ingress-process') as typeof import('../workers/ingress-process')).runIngress();
      case 'codec-server':
        if (rest.length > 0) throw new InvalidInputError('codec-server takes no arguments: its settings are CODEC_SERVER_* and ORDER_TRACKER_ENCRYPTION_KEY');
        return await loadWorkerSide('codec-server', () => require('../workers/run-codec-server') as typeof import('../workers/run-codec-server')).runCodecServer(output);
      default:
        return await runOrderCommand(command, rest, values, output);
    }
  } catch (error) {
    return reportError(error, output);
  }
}

function reportError(error: unknown, output: Output): number {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof InvalidInputError || error instanceof ConfigError) {
    output.error(`order-tracker: ${message}`);
    return ExitCode.badInput;
  }
  if (error instanceof OrderNotFoundError) {
    output.error(`order-tracker: ${message}`);
    return ExitCode.notFound;
  }
  if (error instanceof TemporalUnreachableError) {
    output.error(`order-tracker: ${message}`);
    return ExitCode.runtimeError;
  }
  output.error(`order-tracker: ${error instanceof Error && error.stack ? error.stack : message}`);
  return ExitCode.runtimeError;
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
