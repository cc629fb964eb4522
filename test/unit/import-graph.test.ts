/**
 * The code's own import graph, read with TypeScript's parser (what `madge --circular` does, without a
 * dependency): no circle among the product's runtime imports (a type-only import is erased and
 * joins no circle), and the harness and tests stay outside the product (nothing in it imports them).
 * `npm test` runs it; so can anyone, alone: `npx jest test/unit/import-graph.test.ts`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(__dirname, '..', '..');
/** What ships: every folder but the harness, the tests and the scripts. */
const PRODUCT = ['domain', 'workflows', 'activities', 'providers', 'ledger', 'storage', 'callbacks', 'workers', 'client', 'cli', 'common', 'sandbox'];
const OUTSIDE_THE_PRODUCT = ['harness/', 'bench/', 'test/', 'scripts/'];

function sourceFiles(folder: string): string[] {
  const path = join(ROOT, folder);
  let entries: string[];
  try {
    entries = readdirSync(path);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const child = join(folder, name);
    if (statSync(join(ROOT, child)).isDirectory()) return sourceFiles(child);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [child] : [];
  });
}

/** The relative modules a file loads at run time (imports, re-exports, require calls), resolved to files. */
function runtimeImports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier)) {
      // `import { type A, type B }` is erased as a whole too.
      const bindings = node.importClause?.namedBindings;
      const onlyTypes = bindings !== undefined && ts.isNamedImports(bindings) && node.importClause?.name === undefined && bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly);
      if (!onlyTypes) specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.getText(source) === 'require' && node.arguments[0] !== undefined && ts.isStringLiteral(node.arguments[0])) {
      specifiers.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers.filter((specifier) => specifier.startsWith('.')).flatMap((specifier) => {
    const base = join(dirname(file), specifier);
    const found = [`${base}.ts`, join(base, 'index.ts')].find((candidate) => {
      try {
        return statSync(join(ROOT, candidate)).isFile();
      } catch {
        return false;
      }
    });
    return found === undefined ? [] : [relative(ROOT, join(ROOT, found))];
  });
}

const files = PRODUCT.flatMap(sourceFiles);
const graph = new Map(files.map((file) => [file, runtimeImports(file)]));

/** Tarjan's strongly connected components with more than one file (or a file importing itself). */
function circles(): string[][] {
  let index = 0;
  const indexes = new Map<string, number>();
  const lowest = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (file: string): void => {
    indexes.set(file, index);
    lowest.set(file, index);
    index += 1;
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (!indexes.has(next)) {
        connect(next);
        lowest.set(file, Math.min(lowest.get(file) as number, lowest.get(next) as number));
      } else if (onStack.has(next)) {
        lowest.set(file, Math.min(lowest.get(file) as number, indexes.get(next) as number));
      }
    }
    if (lowest.get(file) !== indexes.get(file)) return;
    const component: string[] = [];
    let member: string | undefined;
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

test('the product has source files to check', () => {
  expect(files.length).toBeGreaterThan(100);
});

test('no import circle in the product (type-only imports aside)', () => {
  expect(circles()).toEqual([]);
});

test('nothing in the product imports the harness, the tests or the scripts', () => {
  const wrong = [...graph].flatMap(([file, imports]) => imports.filter((target) => OUTSIDE_THE_PRODUCT.some((folder) => target.startsWith(folder))).map((target) => `${file} → ${target}`));
  expect(wrong).toEqual([]);
});
