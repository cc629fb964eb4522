/**
 * The harness apart from the product, over the import graph as TypeScript reads it (every `import`,
 * `import type`, `export … from` and `require` with a relative path): no circle among the harness's
 * files, and no product file imports the harness or the tests. eslint.config.js holds the same rule
 * for the product's folders; this test covers every folder, including ones added later.
 * (`npx madge --circular --extensions ts harness` answers the first question too, when installed.)
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(__dirname, '..', '..');
/** Top-level folders that are not the product. */
const NOT_PRODUCT = new Set(['harness', 'test', 'scripts', 'node_modules', 'dist', 'docs', 'deploy', 'bin', 'test-output']);

function typeScriptFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name.startsWith('.') ? [] : typeScriptFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The repository files `file` imports by a relative path. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
  return importedFiles
    .map((imported) => imported.fileName)
    .filter((name) => name.startsWith('.'))
    .flatMap((name) => {
      const base = join(dirname(file), name);
      const found = [`${base}.ts`, join(base, 'index.ts'), base].find((candidate) => existsSync(join(ROOT, candidate)) && statSync(join(ROOT, candidate)).isFile());
      return found === undefined ? [] : [relative(ROOT, join(ROOT, found))];
    });
}

/** The import graph among `files`: each file's imports that are among them. */
function graphOf(files: readonly string[]): Map<string, string[]> {
  const inside = new Set(files);
  return new Map(files.map((file) => [file, importsOf(file).filter((target) => inside.has(target))]));
}

/** Every circle of a graph (Tarjan's strongly connected components of two or more, or a self-import). */
function circles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (file: string) => {
    index.set(file, index.size);
    low.set(file, index.get(file) as number);
    stack.push(file);
    onStack.add(file);
    for (const target of edges.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file) as number, low.get(target) as number));
      } else if (onStack.has(target)) low.set(file, Math.min(low.get(file) as number, index.get(target) as number));
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop() as string;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || (edges.get(file) ?? []).includes(file)) found.push(component.sort());
  };
  for (const file of edges.keys()) if (!index.has(file)) visit(file);
  return found;
}

const productFolders = readdirSync(ROOT).filter((name) => !NOT_PRODUCT.has(name) && !name.startsWith('.') && statSync(join(ROOT, name)).isDirectory());
const productFiles = productFolders.flatMap(typeScriptFiles);

test('the product folders are found (the check looks at something)', () => {
  expect(productFolders).toEqual(expect.arrayContaining(['workflows', 'workers', 'client', 'cli', 'providers', 'sandbox']));
  expect(productFiles.length).toBeGreaterThan(100);
});

test('no circle of imports in harness/', () => {
  const harness = typeScriptFiles('harness');
  expect(harness.length).toBeGreaterThan(50);
  expect(circles(graphOf(harness))).toEqual([]);
});

test('no product file imports the harness or the tests', () => {
  const reaching = productFiles.flatMap((file) =>
    importsOf(file)
      .filter((target) => /^(harness|test|scripts)\//.test(target))
      .map((target) => `${file} → ${target}`),
  );
  expect(reaching).toEqual([]);
});

test('the circle finder finds circles, and only circles', () => {
  // Known shapes, so an empty answer above means no circle rather than a finder that never finds one.
  const graph = new Map([
    ['a', ['b']], ['b', ['c']], ['c', ['a', 'd']], ['d', []], ['e', ['e']], ['f', ['d', 'g']], ['g', ['d']],
  ]);
  expect(circles(graph)).toEqual(expect.arrayContaining([['a', 'b', 'c'], ['e']]));
  expect(circles(graph)).toHaveLength(2);
  expect(circles(new Map([['x', ['y']], ['y', []]]))).toEqual([]);
});
