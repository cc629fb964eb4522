/**
 * The code's own import graph, read with TypeScript's parser (what `madge --circular` does, without a
 * dependency): no circle among the product's runtime imports (a type-only import is erased and joins
 * no circle), none among the harness's files, and nothing in the product imports the harness, the
 * tests or the scripts (not even a type). eslint.config.js holds the last rule for the product's
 * folders; this test covers every top-level folder, including ones added later. Anyone can run it
 * alone: `npx jest test/unit/import-graph.test.ts`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(__dirname, '..', '..');
/** Top-level folders that are not the product. */
const NOT_PRODUCT = new Set(['harness', 'test', 'scripts', 'node_modules', 'dist', 'docs', 'deploy', 'bin', 'test-output']);
const OUTSIDE_THE_PRODUCT = /^(harness|test|scripts)\//;

function isFile(path: string): boolean {
  try {
    return statSync(join(ROOT, path)).isFile();
  } catch {
    return false;
  }
}

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name.startsWith('.') ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The repository files a file imports by relative path (imports, re-exports, require calls); `runtime` leaves out what is erased. */
function importsOf(file: string, { runtime }: { runtime: boolean }): string[] {
  const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, false);
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      // `import type …` and `import { type A, type B }` are erased as a whole.
      const clause = node.importClause;
      const bindings = clause?.namedBindings;
      const onlyTypes =
        clause?.isTypeOnly === true ||
        (bindings !== undefined && ts.isNamedImports(bindings) && clause?.name === undefined && bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly));
      if (!runtime || !onlyTypes) specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!runtime || !node.isTypeOnly) specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.getText(source) === 'require' && node.arguments[0] !== undefined && ts.isStringLiteral(node.arguments[0])) {
      specifiers.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers
    .filter((specifier) => specifier.startsWith('.'))
    .flatMap((specifier) => {
      const base = join(dirname(file), specifier);
      const found = [`${base}.ts`, join(base, 'index.ts')].find(isFile);
      return found === undefined ? [] : [relative(ROOT, join(ROOT, found))];
    });
}

/** The runtime import graph among `files`. */
function graphOf(files: readonly string[]): Map<string, string[]> {
  const inside = new Set(files);
  return new Map(files.map((file) => [file, importsOf(file, { runtime: true }).filter((target) => inside.has(target))]));
}

/** Tarjan's strongly connected components of two or more files, or a file importing itself. */
function circles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const indexes = new Map<string, number>();
  const lowest = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (file: string): void => {
    indexes.set(file, indexes.size);
    lowest.set(file, indexes.get(file) as number);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!indexes.has(next)) {
        connect(next);
        lowest.set(file, Math.min(lowest.get(file) as number, lowest.get(next) as number));
      } else if (onStack.has(next)) lowest.set(file, Math.min(lowest.get(file) as number, indexes.get(next) as number));
    }
    if (lowest.get(file) !== indexes.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop() as string;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || (graph.get(file) ?? []).includes(file)) found.push(component.sort());
  };
  for (const file of graph.keys()) if (!indexes.has(file)) connect(file);
  return found;
}

const productFolders = readdirSync(ROOT).filter((name) => !NOT_PRODUCT.has(name) && !name.startsWith('.') && statSync(join(ROOT, name)).isDirectory());
const productFiles = productFolders.flatMap(sourceFiles);

test('the product folders are found (the checks look at something)', () => {
  expect(productFolders).toEqual(expect.arrayContaining(['workflows', 'activities', 'storage', 'workers', 'client', 'cli', 'providers', 'sandbox']));
  expect(productFiles.length).toBeGreaterThan(100);
});

test('no import circle in the product (type-only imports aside)', () => {
  expect(circles(graphOf(productFiles))).toEqual([]);
});

test('no import circle in harness/', () => {
  const harness = sourceFiles('harness');
  expect(harness.length).toBeGreaterThan(50);
  expect(circles(graphOf(harness))).toEqual([]);
});

test('the harness takes nothing from the tests (the tests use the harness, not the other way)', () => {
  const reaching = sourceFiles('harness').flatMap((file) =>
    importsOf(file, { runtime: false })
      .filter((target) => target.startsWith('test/'))
      .map((target) => `${file} → ${target}`),
  );
  expect(reaching).toEqual([]);
});

test('nothing in the product imports the harness, the tests or the scripts', () => {
  const reaching = productFiles.flatMap((file) =>
    importsOf(file, { runtime: false })
      .filter((target) => OUTSIDE_THE_PRODUCT.test(target))
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
