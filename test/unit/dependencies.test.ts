/**
 * package.json against the code: what the image installs (`dependencies`) is what the production
 * code imports, and the protobufjs pin holds.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  overrides?: Record<string, string>;
};

/** What the image compiles (tsconfig.build.json) and runs. */
const PRODUCTION_FOLDERS = ['domain', 'workflows', 'activities', 'providers', 'ledger', 'callbacks', 'workers', 'client', 'cli', 'common'];
/** `npm start`'s stack with the simulators: the CLI loads it on demand, only for `order-tracker dev`. */
const DEVELOPMENT_ONLY = new Set(['workers/dev.ts']);

function typeScriptFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** The modules a file loads when it is imported: static imports and re-exports, not `import type`. */
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

describe('production code', () => {
  const files = PRODUCTION_FOLDERS.flatMap(typeScriptFiles).filter((file) => !DEVELOPMENT_ONLY.has(file));

  it.each(files)('%s imports only dependencies, Node and other production code', (file) => {
    const wrong = loadedModules(file).filter((specifier) => {
      if (specifier.startsWith('node:') || NODE_BUILTINS.has(specifier)) return false;
      if (specifier.startsWith('.')) {
        const target = relative(ROOT, resolve(ROOT, dirname(file), specifier));
        return !PRODUCTION_FOLDERS.includes(target.split('/')[0] ?? '');
      }
      return packageJson.dependencies[packageName(specifier)] === undefined;
    });
    expect(wrong).toEqual([]);
  });
});

describe('package.json', () => {
  it('keeps the simulators\' server and the TypeScript runtime out of the image', () => {
    for (const name of ['socket.io', 'tsx', 'typescript', '@temporalio/testing']) {
      expect(packageJson.dependencies[name]).toBeUndefined();
      expect(packageJson.devDependencies[name]).toBeDefined();
    }
  });

  // Two copies of protobufjs (the Temporal packages on 8, grpc's proto-loader on 7 hoisted to the
  // root) give each Temporal package its own, and exporting a history to JSON breaks. The override
  // keeps one version in the whole tree; it is not a dependency, since no code here imports it.
  it('pins protobufjs through overrides, one copy for every package that loads it', () => {
    expect(packageJson.dependencies.protobufjs).toBeUndefined();
    expect(packageJson.overrides?.protobufjs).toMatch(/^\^8\./);
    const users = ['@temporalio/common', '@temporalio/proto', '@temporalio/worker', '@grpc/proto-loader'];
    const copies = new Set(users.map((user) => require.resolve('protobufjs', { paths: [dirname(require.resolve(user))] })));
    expect([...copies]).toEqual([require.resolve('protobufjs')]);
  });
});
