/**
 * The package installs light: what backend code imports (client/) and the CLI's order commands need
 * `@temporalio/client` and little else. The worker side (workers, activities, the ledger drivers,
 * the ingress, provider clients) needs the optional peer dependencies of package.json. A worker-side
 * command run without them says what to install instead of printing a stack.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, PACKAGE_ROOT } from '../common/config';

interface PackageManifest {
  peerDependencies?: Record<string, string>;
}

/** `npm install …` of every worker-side package at the range package.json asks for. */
export function workerInstallCommand(manifest: PackageManifest = readManifest()): string {
  const packages = Object.entries(manifest.peerDependencies ?? {}).map(([name, range]) => `${name}@${quoteRange(range)}`);
  return `npm install ${packages.join(' ')}`;
}

/** A range with spaces or shell characters (`>=1 <2`) goes in quotes. */
function quoteRange(range: string): string {
  return /^[\w.^~*-]+$/.test(range) ? range : `'${range}'`;
}

function readManifest(): PackageManifest {
  return JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as PackageManifest;
}

/** The package a "Cannot find module" names (`pg`, `@temporalio/worker`), or undefined for a file. */
export function missingPackage(error: unknown): string | undefined {
  if ((error as { code?: unknown } | null)?.code !== 'MODULE_NOT_FOUND' || !(error instanceof Error)) return undefined;
  const specifier = /Cannot find module '([^']+)'/.exec(error.message)?.[1];
  if (specifier === undefined || specifier.startsWith('.') || specifier.startsWith('/')) return undefined;
  const [first, second] = specifier.split('/');
  return specifier.startsWith('@') ? `${first}/${second}` : first;
}

/**
 * Loads a worker-side command's code. A missing worker-side package is a ConfigError naming the
 * install command; anything else (a bug) is thrown as it is.
 */
export function loadWorkerSide<T>(command: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    const missing = missingPackage(error);
    const manifest = readManifest();
    if (missing === undefined || manifest.peerDependencies?.[missing] === undefined) throw error;
    throw new ConfigError(
      `${command} runs the worker side, whose packages this install lacks (${missing} first). The library and the order commands (track, status, cancel, list) need none of them. To run ${command} here: ${workerInstallCommand(manifest)}`,
    );
  }
}

/**
 * `dev` and `sandbox` run the provider simulators: code and servers (socket.io) that only a clone of
 * the repository has, with its development dependencies (the image and the package have neither).
 */
export function loadDevelopmentSide<T>(command: string, load: () => T): T {
  try {
    return loadWorkerSide(command, load);
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== 'MODULE_NOT_FOUND') throw error;
    const missing = error instanceof Error ? error.message.split('\n')[0] : String(error);
    const where = existsSync(join(PACKAGE_ROOT, 'sandbox')) ? 'the development dependencies (npm ci without --omit=dev)' : 'a clone of the repository (the package and the image do not ship the simulators)';
    throw new ConfigError(`${command} needs ${where}: ${missing}`);
  }
}
