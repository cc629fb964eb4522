/**
 * package.json against the code: the library (what `order-tracker` and the CLI's order commands
 * load) needs only `dependencies`; the worker side's packages are optional peer dependencies (also
 * devDependencies, so a clone has them); one protobufjs for every Temporal package, in consumers too.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  files: string[];
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  devDependencies: Record<string, string>;
  overrides?: Record<string, string>;
};

/** What the image compiles (tsconfig.build.json) and runs. */
const PRODUCTION_FOLDERS = ['domain', 'workflows', 'activities', 'providers', 'storage', 'callbacks', 'workers', 'client', 'cli', 'common'];
/** `npm start`'s stack with the simulators: the CLI loads it on demand, only for `order-tracker dev`. */
const DEVELOPMENT_ONLY = new Set(['workers/dev.ts']);
/** What backend code imports, and the command whose order commands run with the light install. */
const LIBRARY_ENTRY_POINTS = ['client/index.ts', 'cli/main.ts'];

function typeScriptFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** The modules a file loads when it is imported: static imports and re-exports, not `import type` nor a lazy `require`. */
function loadedModules(file: string): string[] {
  const source = readFileSync(join(ROOT, file), 'utf8');
  const statements = /^(?:import|export)\s+(?!type\b)(?:[^;'"]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
  return [...source.matchAll(statements)].map((match) => match[1] ?? '');
}

function packageName(specifier: string): string {
  const [first, second] = specifier.split('/');
  return specifier.startsWith('@') ? `${first}/${second}` : (first ?? specifier);
}

const NODE_BUILTINS = new Set(builtinModules);
const isNodeModule = (specifier: string) => specifier.startsWith('node:') || NODE_BUILTINS.has(specifier);

/** The file a relative import names: `<path>.ts` or `<path>/index.ts`. */
function sourceFile(from: string, specifier: string): string {
  const base = relative(ROOT, resolve(ROOT, dirname(from), specifier));
  return existsSync(join(ROOT, `${base}.ts`)) ? `${base}.ts` : join(base, 'index.ts');
}

/** Every package a file loads when it is imported, following relative imports, with who loads it. */
function loadedPackages(entryPoints: string[]): Map<string, string> {
  const packages = new Map<string, string>();
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of loadedModules(file)) {
      if (specifier.startsWith('.')) visit(sourceFile(file, specifier));
      else if (!isNodeModule(specifier) && !packages.has(packageName(specifier))) packages.set(packageName(specifier), file);
    }
  };
  entryPoints.forEach(visit);
  return packages;
}

describe('production code', () => {
  const files = PRODUCTION_FOLDERS.flatMap(typeScriptFiles).filter((file) => !DEVELOPMENT_ONLY.has(file));

  it.each(files)('%s imports only dependencies, worker-side peers, Node and other production code', (file) => {
    const wrong = loadedModules(file).filter((specifier) => {
      if (isNodeModule(specifier)) return false;
      if (specifier.startsWith('.')) {
        const target = relative(ROOT, resolve(ROOT, dirname(file), specifier));
        return !PRODUCTION_FOLDERS.includes(target.split('/')[0] ?? '');
      }
      const name = packageName(specifier);
      return packageJson.dependencies[name] === undefined && packageJson.peerDependencies[name] === undefined;
    });
    expect(wrong).toEqual([]);
  });

  it('the library and the order commands load only the light dependencies, never a worker-side package', () => {
    const loaded = Object.fromEntries([...loadedPackages(LIBRARY_ENTRY_POINTS)].filter(([name]) => packageJson.dependencies[name] === undefined));
    expect(loaded).toEqual({});
    expect([...loadedPackages(LIBRARY_ENTRY_POINTS).keys()].sort()).toEqual(
      // @opentelemetry/api: the order spans' no-op API (one package, no dependencies); the SDK and
      // exporter load only where OTEL_EXPORTER_OTLP_ENDPOINT asks for traces.
      ['@opentelemetry/api', '@temporalio/client', '@temporalio/common', '@temporalio/envconfig', '@temporalio/proto', 'zod'].sort(),
    );
  });
});

describe('package.json', () => {
  it('ships the compiled code and the command, nothing else (npm adds package.json and the README)', () => {
    // The simulators (compiled because `dev` loads them) come with a clone of the repository only.
    expect(packageJson.files).toEqual(['dist/', '!dist/sandbox/', '!dist/workers/dev.*', 'bin/']);
  });

  it('keeps the simulators\' server and the TypeScript runtime out of what a consumer installs', () => {
    for (const name of ['socket.io', 'tsx', 'typescript', '@temporalio/testing']) {
      expect(packageJson.dependencies[name]).toBeUndefined();
      expect(packageJson.peerDependencies[name]).toBeUndefined();
      expect(packageJson.devDependencies[name]).toBeDefined();
    }
  });

  it('makes every worker-side package an optional peer, installed in a clone at the same range', () => {
    for (const [name, range] of Object.entries(packageJson.peerDependencies)) {
      expect(packageJson.peerDependenciesMeta[name]).toEqual({ optional: true });
      if (name === 'protobufjs') continue;
      expect(packageJson.devDependencies[name]).toBe(range);
      expect(packageJson.dependencies[name]).toBeUndefined();
    }
    expect(Object.keys(packageJson.peerDependenciesMeta).sort()).toEqual(Object.keys(packageJson.peerDependencies).sort());
  });

  // protobufjs 8 is a dependency, though no code here imports it: a consumer's npm then places it at
  // the root of node_modules, where every Temporal package finds the same copy (two copies break
  // exporting a history to JSON). grpc's proto-loader asks for 7 and gets a copy of its own beside
  // it. A project that also installs the worker side lists the Temporal packages itself, and npm
  // then gives the root to proto-loader's 7 unless the project lists protobufjs too: so it is in the
  // worker side's install (a peer) as well. `overrides` would hide all this here but never reach a
  // consumer, so there are none.
  it('has every Temporal package load the one protobufjs 8 of the root', () => {
    expect(packageJson.dependencies.protobufjs).toMatch(/^\^8\./);
    expect(packageJson.peerDependencies.protobufjs).toBe(packageJson.dependencies.protobufjs);
    expect(packageJson.overrides).toBeUndefined();
    const users = ['@temporalio/common', '@temporalio/proto', '@temporalio/client', '@temporalio/worker', '@temporalio/workflow'];
    const copies = new Set(users.map((user) => require.resolve('protobufjs', { paths: [dirname(require.resolve(user))] })));
    expect([...copies]).toEqual([require.resolve('protobufjs')]);
    expect((JSON.parse(readFileSync(join(dirname(require.resolve('protobufjs')), 'package.json'), 'utf8')) as { version: string }).version).toMatch(/^8\./);
  });
});
